// rover build app.lua [--out dist]: compile the app and write dist/.
import { resolve } from "node:path";
import { existsSync, statSync } from "node:fs";
import { fail } from "../report.ts";
import { compileOrReport, writeBuild } from "./compile.ts";

export async function build(entry: string, outDir: string): Promise<number> {
  if (outDir.trim() === "") return fail("--out needs a directory");
  if (existsSync(outDir) && !statSync(outDir).isDirectory())
    return fail(`--out ${outDir} is a file, not a directory`);
  const started = performance.now();
  const r = await compileOrReport(entry);
  if (r === null) return 1;
  writeBuild(r, resolve(outDir));
  const ms = (performance.now() - started).toFixed(0);
  process.stdout.write(
    `rover: built ${r.manifest.chunks.length} Lua file(s), ${r.manifest.routes.length} route(s) into ${outDir}/ in ${ms} ms\n`,
  );
  return 0;
}
