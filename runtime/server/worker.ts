// Worker thread side of `rover start`/`rover run`: loads dist/app.js, boots it with its own
// Lua state, reports the result, then on "listen" starts its own Fastify instance on the
// shared port and on "close" closes it (in-flight requests finish). The steps themselves are
// shared with rover dev's worker (worker-steps.ts).
import { parentPort, workerData } from "node:worker_threads";
import type { FastifyInstance } from "fastify";
import type { RoverApp } from "../rover/boot.ts";
import type { WorkerData, MainMessage } from "./protocol.ts";
import { createLogger, logSink } from "./logger.ts";
import { bootApp, postBooted, listenApp, postClosed } from "./worker-steps.ts";

const data = workerData as WorkerData;

async function main(): Promise<void> {
  const app = await bootApp(data.appUrl, data.quietBoot);
  if (app !== null) serve(app);
}

function serve(app: RoverApp): void {
  const logger = createLogger(app.config.logLevel, data.index);
  app.setLog(logSink(logger));
  let fastify: FastifyInstance | null = null;
  parentPort!.on("message", async (message: MainMessage) => {
    if (message.type === "listen") {
      const { host, port } = message;
      await listenApp(app, logger, host, port, {
        created: (f) => (fastify = f),
        listening: () => logger.debug({ host, port, routes: app.routes.length }, "worker listening"),
      });
    } else if (message.type === "close") {
      if (fastify !== null) await fastify.close();
      postClosed();
    }
  });
  postBooted(app);
}

void main();
