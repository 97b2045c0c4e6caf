// `rover start [dist]`: serves a compiled app (dist/app.js) on N worker threads.
// Resolves with the exit code; the dispatcher (cli/main.ts) calls process.exit with it.
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { resolve, join } from "node:path";
import { runServer } from "../../runtime/server/workers.ts";

export interface StartFlags {
  port?: number;
  host?: string;
  /** Worker threads; default os.availableParallelism(). */
  workers?: number;
  /** The main chunk already ran (rover run): workers boot without printing its output again. */
  quietBoot?: boolean;
}

export async function start(distDir: string, flags: StartFlags): Promise<number> {
  const appPath = join(resolve(distDir), "app.js");
  if (!existsSync(appPath)) {
    process.stderr.write(`rover start: ${appPath} not found (run 'rover build' first)\n`);
    return 1;
  }
  const workers = flags.workers ?? availableParallelism();
  if (!Number.isInteger(workers) || workers < 1) {
    process.stderr.write(`rover start: --workers must be a positive integer, got ${workers}\n`);
    return 1;
  }
  return runServer({
    appPath,
    workers,
    flags: { port: flags.port, host: flags.host },
    env: process.env,
    out: (line) => process.stdout.write(line + "\n"),
    err: (line) => process.stderr.write(line + "\n"),
    quietBoot: flags.quietBoot,
  });
}
