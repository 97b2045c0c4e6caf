// rover inspect app.lua: print the JavaScript Rover emits for the app's Lua files, with the
// Lua line of each statement as a comment. --routes lists the routes found statically.
import { compileModule } from "../../compiler/compile-module.ts";
import { collectModules, usesCoroutines } from "../../compiler/bundle.ts";
import { findRoutes } from "../../compiler/analyse/routes.ts";
import { parse } from "../../compiler/parse.ts";
import { CompileError } from "../../compiler/diagnostics.ts";
import { printDiagnostics } from "../report.ts";

export interface InspectOptions {
  routes?: boolean;
  module?: string;
  /** "GET /users/:id": print only that route's handler. */
  route?: string;
}

export function inspect(entry: string, options: InspectOptions): number {
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
    if (options.route !== undefined) return inspectRoute(modules, options.route);
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
    if (e instanceof Error && /^cannot read/.test(e.message)) {
      process.stderr.write(`rover: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

/** Prints the emitted statement of one route's handler (found statically in the entry). */
function inspectRoute(modules: ReturnType<typeof collectModules>, wanted: string): number {
  const [method, path] = wanted.trim().split(/\s+/);
  const entry = modules[0];
  const route = findRoutes(parse(entry.src)).find(
    (r) => r.method === method?.toUpperCase() && r.path === path,
  );
  if (route === undefined) {
    process.stderr.write(`rover: no route '${wanted}' declared in ${entry.src.chunkName} (see --routes)\n`);
    return 1;
  }
  const coroutines = modules.some((x) => usesCoroutines(x.src));
  const code = compileModule(entry.src, {
    runtimeImport: "rover/runtime",
    lineComments: true,
    coroutines,
  }).code;
  // Top-level statements sit at two spaces of indentation, each after its `// chunk:line` comment.
  const lines = code.split("\n");
  const marker = `  // ${entry.src.chunkName}:${route.line}`;
  const start = lines.indexOf(marker);
  if (start < 0) {
    process.stderr.write(`rover: could not locate the handler of '${wanted}' in the emitted code\n`);
    return 1;
  }
  let end = start + 1;
  while (end < lines.length && !/^ {2}\/\/ /.test(lines[end]) && lines[end] !== "}") end++;
  process.stdout.write(
    lines
      .slice(start, end)
      .map((l) => l.slice(2))
      .join("\n") + "\n",
  );
  return 0;
}
