// rover build app.lua [--out dist]: compile the app and write dist/.
import { resolve } from "node:path";
import { compileOrReport, writeBuild } from "./compile.ts";

export async function build(entry: string, outDir: string): Promise<number> {
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
