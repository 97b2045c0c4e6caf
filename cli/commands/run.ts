// rover run app.lua [args...]: compile in memory and run. A chunk that returns a
// rover.server api starts the server (one worker by default, so Lua tables behave as one
// state, like upstream); any other chunk is a plain script, exactly like `luajit app.lua`.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { compileOrReport, writeBuild } from "./compile.ts";
import { stdout, stderr, writeErr } from "../output.ts";

export interface RunFlags {
  port?: number;
  host?: string;
  workers?: number;
}

export async function run(entry: string, args: string[], flags: RunFlags): Promise<number> {
  const r = await compileOrReport(entry);
  if (r === null) return 1;
  // The build lives in a private temp dir for this process: workers and source maps load it from there.
  const dir = mkdtempSync(join(tmpdir(), "rover-run-"));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  writeBuild(r, dir);
  const app = await import(pathToFileURL(join(dir, "app.js")).href);
  let result: any;
  try {
    result = app.boot({ write: stdout.write, writeError: stderr.write, argv: { script: entry, args } });
  } catch (e) {
    writeErr("rover: " + app.describeError(e));
    cleanup();
    return 1;
  } finally {
    stdout.flush();
    stderr.flush();
  }
  if (result.kind === "script") {
    cleanup();
    return 0;
  }
  if (result.kind === "exit") {
    cleanup();
    return result.code;
  }
  const { start } = await import("./start.ts");
  try {
    return await start(dir, { ...flags, workers: flags.workers ?? 1, quietBoot: true } as any);
  } finally {
    cleanup();
  }
}
