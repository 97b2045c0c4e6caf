// The worker thread of `rover dev`, the dev twin of runtime/server/worker.ts. It starts as a
// warm standby (Fastify and pino loaded, appUrl "") and waits for "boot" to name a build; it
// then boots it, serves on "listen" like a `rover start` worker, and on "drain" gives way to
// the next build without dropping a request. Boot errors and handler errors come with a code
// frame of the Lua line (frames.ts). Booting and listening are the steps a `rover start`
// worker takes too (runtime/server/worker-steps.ts); what is dev's own is the standby and drain.
import { parentPort, workerData } from "node:worker_threads";
import { Server as NetServer } from "node:net";
import type { IncomingMessage, ServerResponse } from "node:http";
import { fileURLToPath } from "node:url";
import Fastify from "fastify";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import type { RoverApp } from "../../runtime/rover/boot.ts";
import type { WorkerData, MainMessage } from "../../runtime/server/protocol.ts";
import { createLogger } from "../../runtime/server/logger.ts";
import { bootApp, postBooted, listenApp, postClosed } from "../../runtime/server/worker-steps.ts";
import { LuaSources, bootErrorText, devLogSink } from "./frames.ts";

/** What swap.ts gives a dev worker: `preload`, the runtime modules dev builds import. */
export interface DevWorkerData extends WorkerData {
  preload: string[];
}

/**
 * How long a draining worker keeps idle keep-alive connections open. A client that sends
 * continuously gets its next answer with Connection: close well within this time and
 * reconnects (to the new build); closing idle sockets at once would race such a client,
 * which may be writing its next request on that socket at that very moment.
 */
const IDLE_GRACE_MS = 1000;

const data = workerData as DevWorkerData;
const port = parentPort!;
let app: RoverApp | null = null;
let logger: Logger | null = null;
let fastify: FastifyInstance | null = null;
let draining = false;
let finishing = false;

// One listener for the thread's whole life: with none attached the port would stop holding
// the thread open between messages.
port.on("message", (message: MainMessage) => {
  switch (message.type) {
    case "boot":
      return void boot(message.appUrl);
    case "listen":
      return void listen(message.host, message.port);
    case "drain":
      return drain(false);
    case "close":
      return drain(true);
  }
});
if (data.appUrl !== "") void boot(data.appUrl);
else void warmUp();

/**
 * A standby's idle time is spent on what a swap would otherwise wait for: loading the runtime
 * (dev builds import it rather than bundle it, see buildApp's runtimeUrls) and building and
 * dropping one Fastify instance (the first in a thread costs ~90 ms, later ones ~2 ms).
 */
async function warmUp(): Promise<void> {
  await Promise.all((data.preload ?? []).map((url) => import(url)));
  const f = Fastify({ logger: false, forceCloseConnections: "idle" });
  f.get("/", (_request, reply) => reply.send(""));
  f.setNotFoundHandler((_request, reply) => reply.code(404).send(""));
  await f.ready();
  await f.close();
}

async function boot(appUrl: string): Promise<void> {
  const sources = new LuaSources(fileURLToPath(appUrl) + ".map");
  app = await bootApp(appUrl, data.quietBoot, (e, mod) => bootErrorText(e, mod, sources));
  if (app === null) return;
  logger = createLogger(app.config.logLevel, data.index);
  app.setLog(devLogSink(logger, sources));
  postBooted(app);
}

function listen(host: string, listenPort: number): Promise<void> {
  return listenApp(app!, logger!, host, listenPort, {
    created: (f) => {
      fastify = f;
      f.server.prependListener("request", closeWhenDraining);
    },
  });
}

/** Once draining, every answer ends its connection, so keep-alive clients move to the new build. */
function closeWhenDraining(_request: IncomingMessage, response: ServerResponse): void {
  if (draining) response.setHeader("connection", "close");
}

/**
 * Stops accepting and ends once every connection is closed. `now` (shutdown) closes idle
 * keep-alive connections at once; a swap waits IDLE_GRACE_MS first (see there).
 *
 * Not fastify.close(): while closing, Fastify answers requests that arrive on kept-alive
 * connections with 503 (return503OnClosing) and drops idle connections at once. Here the
 * listener closes first (synchronously), so the reconnects that Connection: close causes all
 * reach the new build. Caveat: Linux resets connections still waiting in a closing
 * SO_REUSEPORT listener's accept queue (unless net.ipv4.tcp_migrate_req=1), so a client that
 * opens a new connection in that very instant can see ECONNRESET; keep-alive clients cannot.
 */
function drain(now: boolean): void {
  draining = true;
  const server = fastify?.server;
  if (server !== undefined && now) server.closeIdleConnections();
  if (finishing) return;
  finishing = true;
  if (server === undefined) return postClosed();
  // net.Server#close, not http.Server#close: the latter also closes idle connections at once.
  NetServer.prototype.close.call(server, () => postClosed());
  if (!now) setTimeout(() => server.closeIdleConnections(), IDLE_GRACE_MS).unref();
}
