// Shared by build, run and inspect: compile an app, printing diagnostics on failure, and
// write a build to a directory (app.js, app.js.map, routes.json).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildApp, type BuildResult } from "../../compiler/bundle.ts";
import { CompileError } from "../../compiler/diagnostics.ts";
import { printDiagnostics } from "../report.ts";
import { writeErr } from "../output.ts";

/** The build, or null after printing why it failed. */
export async function compileOrReport(entry: string): Promise<BuildResult | null> {
  try {
    const r = await buildApp(entry);
    if (r.warnings.length > 0 && process.env.ROVER_QUIET_WARNINGS === undefined) printDiagnostics(r.warnings);
    return r;
  } catch (e) {
    if (e instanceof CompileError) {
      printDiagnostics(e.diagnostics);
      return null;
    }
    if (e instanceof Error && /^cannot read/.test(e.message)) {
      writeErr(`rover: ${e.message}\n`);
      return null;
    }
    throw e;
  }
}

export function writeBuild(r: BuildResult, outDir: string): void {
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, "app.js"), r.code + "\n//# sourceMappingURL=app.js.map\n");
  writeFileSync(join(outDir, "app.js.map"), JSON.stringify(r.map));
  writeFileSync(join(outDir, "routes.json"), JSON.stringify(r.manifest, null, 2) + "\n");
}
