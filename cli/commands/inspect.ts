// rover inspect app.lua: print the JavaScript Rover emits for the app's Lua files, with the
// Lua line of each statement as a comment. --routes lists the routes found statically.
import { compileModule } from "../../compiler/compile-module.ts";
import { collectModules, usesCoroutines } from "../../compiler/bundle.ts";
import { findRoutes } from "../../compiler/analyse/routes.ts";
import { parse } from "../../compiler/parse.ts";
import { CompileError } from "../../compiler/diagnostics.ts";
import { printDiagnostics } from "../report.ts";

export function inspect(entry: string, options: { routes?: boolean; module?: string }): number {
  let modules;
  try {
    modules = collectModules(entry, process.cwd());
    if (options.routes) {
      for (const r of findRoutes(parse(modules[0].src))) {
        process.stdout.write(
          `${r.method.padEnd(7)} ${r.path.padEnd(30)} ${modules[0].src.chunkName}:${r.line}\n`,
        );
      }
      return 0;
    }
    const picked = options.module === undefined ? modules : modules.filter((m) => m.name === options.module);
    if (picked.length === 0) {
      process.stderr.write(`rover: no module '${options.module}' is required by ${entry}\n`);
      return 1;
    }
    for (const m of picked) {
      const coroutines = modules.some((x) => usesCoroutines(x.src));
      const out = compileModule(m.src, { runtimeImport: "rover/runtime", lineComments: true, coroutines });
      process.stdout.write(
        `// ===== ${m.src.chunkName}${m.name ? ` (require "${m.name}")` : ""}\n${out.code}\n`,
      );
    }
    return 0;
  } catch (e) {
    if (e instanceof CompileError) {
      printDiagnostics(e.diagnostics);
      return 1;
    }
    throw e;
  }
}
