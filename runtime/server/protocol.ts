// Messages between the main thread (workers.ts) and a worker thread (worker.ts), in the
// order they flow: boot result, then listen / listening, then close / closed.
import type { LogLevel } from "../rover/boot.ts";

export interface WorkerData {
  /** file: URL of the compiled dist/app.js. */
  appUrl: string;
  index: number;
  /** Drop what the main chunk prints while booting (every worker but the first). */
  quietBoot: boolean;
}

export interface BootedConfig {
  host: string;
  port: number;
  logLevel: LogLevel;
  ignored: string[];
  /** Startup warnings about the route table (RouteTable.warnings). */
  warnings: string[];
}

export type WorkerMessage =
  | { type: "booted"; config: BootedConfig; routes: number }
  | { type: "script" }
  | { type: "exit"; code: number }
  | { type: "failed"; message: string }
  | { type: "listening" }
  | { type: "listen-failed"; code: string | undefined; message: string }
  | { type: "closed" };

export type MainMessage =
  | { type: "listen"; host: string; port: number }
  | { type: "close" }
  // rover dev (cli/dev/dev-worker.ts): a standby worker (appUrl "") loads the app on "boot";
  // "drain" stops accepting, answers in-flight and later requests with Connection: close and
  // closes idle keep-alive connections only after a grace period, so a swap drops no request.
  | { type: "boot"; appUrl: string }
  | { type: "drain" };
