// The steps every worker thread takes, whether of `rover start`/`rover run` (worker.ts) or of
// `rover dev` (cli/dev/dev-worker.ts): import and boot a compiled app, report the result to
// the main thread, listen on the shared port with the app's own Fastify instance, and say
// "closed" at the end. How and when each step runs is up to the two workers.
import { parentPort } from "node:worker_threads";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import type { BootResult, BootOptions, RoverApp } from "../rover/boot.ts";
import type { WorkerMessage } from "./protocol.ts";
import { writeBytes } from "./output.ts";
import { createFastifyApp } from "./app.ts";

/** What a compiled app module exports (dist/app.js). */
export interface AppModule {
  boot(options: BootOptions): BootResult;
  chunkName?: string;
  /** LuaJIT's message and traceback for a Lua error (dev builds). */
  describeError?: (e: unknown) => string;
}

/** The text of a boot error, given the module when its import succeeded. */
export type BootErrorText = (e: unknown, mod: AppModule | undefined) => string;

export function post(message: WorkerMessage): void {
  parentPort!.postMessage(message);
}

/**
 * Imports and boots the app at `appUrl`; `quiet` drops what the main chunk prints while
 * booting. A failure, a script or os.exit is posted ("failed", "script", "exit") and gives
 * null; a server gives its app, for the caller to set its log sink and then postBooted.
 */
export async function bootApp(
  appUrl: string,
  quiet: boolean,
  errorText: BootErrorText = plainErrorText,
): Promise<RoverApp | null> {
  let muted = quiet;
  let mod: AppModule | undefined;
  let result: BootResult;
  try {
    mod = (await import(appUrl)) as AppModule;
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
    post({ type: "failed", message: errorText(e, mod) });
    return null;
  }
  muted = false;
  if (result.kind === "script") post({ type: "script" });
  else if (result.kind === "exit") post({ type: "exit", code: result.code });
  else return result.app;
  return null;
}

function plainErrorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function postBooted(app: RoverApp): void {
  const config = app.config;
  post({
    type: "booted",
    config: {
      host: config.host,
      port: config.port,
      logLevel: config.logLevel,
      ignored: config.ignored,
      warnings: [...app.warnings],
    },
    routes: app.routes.length,
  });
}

export interface ListenHooks {
  /** Receives the new Fastify instance before it listens (the caller closes it later). */
  created(fastify: FastifyInstance): void;
  /** Runs once listening, just before "listening" is posted. */
  listening?(): void;
}

/**
 * Serves `app` on host:port with a new Fastify instance and posts "listening" or
 * "listen-failed". Every worker binds the same port (reusePort, so the kernel spreads
 * connections and a request never crosses threads).
 */
export async function listenApp(
  app: RoverApp,
  logger: Logger,
  host: string,
  port: number,
  hooks: ListenHooks,
): Promise<void> {
  try {
    const fastify = createFastifyApp(app, logger);
    hooks.created(fastify);
    // reusePort is forwarded by Fastify to net.Server#listen (Node >= 23.1).
    await fastify.listen({ host, port, reusePort: true } as { host: string; port: number });
    hooks.listening?.();
    post({ type: "listening" });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    post({ type: "listen-failed", code: err.code, message: err.message });
  }
}

/** The last step: tells the main thread and lets the thread end. */
export function postClosed(): void {
  post({ type: "closed" });
  parentPort!.close();
}
