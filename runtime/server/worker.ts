// Worker thread side: loads dist/app.js, boots it with its own Lua state, reports the result,
// then on "listen" starts its own Fastify instance on the shared port (reusePort, so the
// kernel spreads connections and a request never crosses threads) and on "close" drains it.
import { parentPort, workerData } from "node:worker_threads";
import type { FastifyInstance } from "fastify";
import type { BootResult, BootOptions, RoverApp } from "../rover/boot.ts";
import type { WorkerData, WorkerMessage, MainMessage } from "./protocol.ts";
import { writeBytes } from "./output.ts";
import { createLogger, logSink } from "./logger.ts";
import { createFastifyApp } from "./app.ts";

type AppModule = { boot(options: BootOptions): BootResult; chunkName?: string };

const data = workerData as WorkerData;
const port = parentPort!;
let muted = data.quietBoot;

function post(message: WorkerMessage): void {
  port.postMessage(message);
}

async function main(): Promise<void> {
  let result: BootResult;
  try {
    const mod = (await import(data.appUrl)) as AppModule;
    const chunkName = mod.chunkName ?? "app.lua";
    result = mod.boot({
      write: (bytes) => {
        if (!muted) writeBytes(1, bytes);
      },
      writeError: (bytes) => {
        if (!muted) writeBytes(2, bytes);
      },
      argv: { script: chunkName, args: [] },
      chunkName,
    });
  } catch (e) {
    post({ type: "failed", message: e instanceof Error ? e.message : String(e) });
    return;
  }
  muted = false;
  if (result.kind === "script") return post({ type: "script" });
  if (result.kind === "exit") return post({ type: "exit", code: result.code });
  serve(result.app);
}

function serve(app: RoverApp): void {
  const config = app.config;
  const logger = createLogger(config.logLevel, data.index);
  app.setLog(logSink(logger));
  let fastify: FastifyInstance | null = null;
  port.on("message", async (message: MainMessage) => {
    if (message.type === "listen") {
      try {
        fastify = createFastifyApp(app, logger);
        // reusePort is forwarded by Fastify to net.Server#listen (Node >= 23.1).
        await fastify.listen({ host: message.host, port: message.port, reusePort: true } as {
          host: string;
          port: number;
        });
        logger.debug(
          { host: message.host, port: message.port, routes: app.routes.length },
          "worker listening",
        );
        post({ type: "listening" });
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        post({ type: "listen-failed", code: err.code, message: err.message });
      }
    } else if (message.type === "close") {
      if (fastify !== null) await fastify.close();
      post({ type: "closed" });
      port.close();
    }
  });
  post({
    type: "booted",
    config: { host: config.host, port: config.port, logLevel: config.logLevel, ignored: config.ignored },
    routes: app.routes.length,
  });
}

void main();
