// rover run app.lua [args...]: compile in memory and run. The main chunk runs first in a
// worker thread with a large stack (script-worker.ts): if it returns a rover.server api the
// app is served (one worker by default, so Lua tables behave as one state, as upstream);
// any other chunk is a plain script, exactly like `luajit app.lua args`.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { compileOrReport, writeBuild } from "./compile.ts";
import type { ScriptJob, ScriptOutcome } from "../script-worker.ts";
import { SCRIPT_STACK_MB } from "../../runtime/server/stack.ts";

export interface RunFlags {
  port?: number;
  host?: string;
  workers?: number;
}

/** Runs the built app's main chunk in a big-stack worker and reports what it was. */
export function runMainChunk(job: ScriptJob): Promise<ScriptOutcome> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("../script-worker.ts", import.meta.url), {
      workerData: job,
      resourceLimits: { stackSizeMb: SCRIPT_STACK_MB },
    });
    let outcome: ScriptOutcome | undefined;
    worker.on("message", (m: ScriptOutcome) => (outcome = m));
    worker.on("error", reject);
    worker.on("exit", () =>
      outcome ? resolve(outcome) : reject(new Error("the script worker stopped without a result")),
    );
  });
}

export async function run(entry: string, args: string[], flags: RunFlags): Promise<number> {
  const r = await compileOrReport(entry);
  if (r === null) return 1;
  // The build lives in a private temp dir for this process: workers and source maps load it from there.
  const dir = mkdtempSync(join(tmpdir(), "rover-run-"));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  try {
    writeBuild(r, dir);
    const outcome = await runMainChunk({ appPath: join(dir, "app.js"), script: entry, args });
    if (outcome.kind === "error") return 1;
    if (outcome.kind === "script") return outcome.code;
    const { start } = await import("./start.ts");
    return await start(dir, { ...flags, workers: flags.workers ?? 1, quietBoot: true });
  } finally {
    cleanup();
  }
}
