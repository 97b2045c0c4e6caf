// Builds an app: the entry Lua file plus every module it requires (found statically),
// compiled and bundled by esbuild with the runtime into one ES module and its source map.
// The map gets `x_rover_chunks` (Lua chunk name per source) so the runtime can name Lua
// frames. Writes dist/ only when asked; `rover run` keeps the result in memory.
import * as esbuild from "esbuild";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { sourceFile, type SourceFile } from "./source.ts";
import { compileModule } from "./compile-module.ts";
import { withInlineMap } from "./emit.ts";
import { findRequires, resolveModule } from "./analyse/requires.ts";
import { findRoutes, type RouteDecl } from "./analyse/routes.ts";
import { CompileError, diagnostic, type Diagnostic } from "./diagnostics.ts";
import { parse } from "./parse.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const RUNTIME_LUA = resolve(ROOT, "runtime/lua/index.ts");
const BOOT = resolve(ROOT, "runtime/rover/boot.ts");
const SCRIPT = resolve(ROOT, "runtime/lua/run-script.ts");
const CALLSITES = resolve(ROOT, "runtime/lua/callsites.ts");
const LOAD = resolve(ROOT, "runtime/lua/stdlib/load.ts");
const LOAD_NAMES = new Set(["loadstring", "load", "dofile", "loadfile"]);

export interface LuaModuleFile {
  /** require name ("users"); "" for the entry. */
  name: string;
  src: SourceFile;
}

export interface Manifest {
  entry: string;
  chunks: string[];
  routes: RouteDecl[];
  builtAt: string;
}

export interface BuildResult {
  code: string;
  map: any;
  manifest: Manifest;
  modules: LuaModuleFile[];
  warnings: Diagnostic[];
}

/**
 * Compiled modules kept between builds (rover dev), keyed by absolute path: a module whose
 * content hash (bytes and chunk name) is unchanged is not compiled again.
 */
export type ModuleCache = Map<string, { hash: string; js: string; warnings: Diagnostic[] }>;

/** Chunk name as LuaJIT shows it: the entry as given, modules as package.path finds them ("./users.lua"). */
function chunkNameFor(path: string, cwd: string, isEntry: boolean, given?: string): string {
  if (isEntry && given !== undefined) return given;
  const rel = relative(cwd, path).split(sep).join("/");
  if (rel.startsWith("..") || rel.startsWith("/")) return path;
  return isEntry ? rel : "./" + rel;
}

/** The entry and every module reachable through constant-name require calls. */
export function collectModules(entryPath: string, cwd: string, given?: string): LuaModuleFile[] {
  const entryAbs = resolve(cwd, entryPath);
  const entryDir = dirname(entryAbs);
  const out: LuaModuleFile[] = [];
  const seen = new Map<string, string>();
  const queue: { name: string; path: string }[] = [{ name: "", path: entryAbs }];
  const diagnostics: Diagnostic[] = [];
  while (queue.length > 0) {
    const { name, path } = queue.shift()!;
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch {
      throw new Error(`cannot read ${relative(cwd, path) || path}`);
    }
    const src = sourceFile(path, chunkNameFor(path, cwd, name === "", given ?? entryPath), bytes);
    out.push({ name, src });
    for (const r of findRequires(parse(src))) {
      if (seen.has(r.name)) continue;
      const found = resolveModule(r.name, entryDir, cwd);
      if (found === null) {
        diagnostics.push(
          diagnostic(
            "module_not_found",
            `module '${r.name}' not found next to the app or in the working directory`,
            src,
            r.line,
            r.column,
            "warning",
          ),
        );
        seen.set(r.name, "");
        continue;
      }
      seen.set(r.name, found);
      queue.push({ name: r.name, path: found });
    }
  }
  (out as any).warnings = diagnostics;
  return out;
}

export function entrySource(modules: LuaModuleFile[]): string {
  const lines = [
    `import { boot as bootApp } from ${JSON.stringify(BOOT)};`,
    `import { runScript as runChunk, describeError } from ${JSON.stringify(SCRIPT)};`,
    `import { registerCompiledFile } from ${JSON.stringify(CALLSITES)};`,
  ];
  // loadstring/load/dofile compile at run time: bundle the compiler only for apps that use them.
  if (modules.some((m) => mentions(m.src, LOAD_NAMES))) lines.push(`import ${JSON.stringify(LOAD)};`);
  modules.forEach((m, i) => lines.push(`import m${i} from ${JSON.stringify("lua:" + m.src.path)};`));
  const table = modules
    .slice(1)
    .map((m, i) => `${JSON.stringify(m.name)}: m${i + 1}`)
    .join(", ");
  lines.push(
    `registerCompiledFile(import.meta.url);`,
    `const modules = { ${table} };`,
    `export const chunkName = ${JSON.stringify(modules[0].src.chunkName)};`,
    `export function boot(options) { return bootApp(m0, modules, { chunkName, ...options }); }`,
    `export function runScript(options) { return runChunk(m0, modules, { chunkName, ...options }); }`,
    `export { describeError };`,
  );
  return lines.join("\n");
}

/**
 * The runtime modules an app bundle imports (rover dev builds them once: see `runtimeUrls`);
 * the last one, the run-time compiler, only apps that call loadstring/load/dofile import.
 */
export const RUNTIME_ENTRIES = [RUNTIME_LUA, BOOT, SCRIPT, CALLSITES, LOAD];

/**
 * Compiles and bundles an app; nothing is written. `cache`: see ModuleCache.
 * `runtimeUrls` (rover dev): each RUNTIME_ENTRIES path is imported from this URL (a runtime
 * built once) instead of bundled, so a rebuild bundles only the compiled Lua.
 */
export async function buildApp(
  entryPath: string,
  options: { cwd?: string; minify?: boolean; cache?: ModuleCache; runtimeUrls?: Map<string, string> } = {},
): Promise<BuildResult> {
  const cwd = options.cwd ?? process.cwd();
  const modules = collectModules(entryPath, cwd);
  const byPath = new Map(modules.map((m) => [m.src.path, m]));
  const warnings: Diagnostic[] = [...((modules as any).warnings ?? [])];
  const errors: Diagnostic[] = [];
  const compiled = new Map<string, string>();
  // Generator versions of functions are emitted only for apps that use coroutines at all.
  const coroutines = modules.some((m) => usesCoroutines(m.src));
  for (const m of modules) {
    const hash = options.cache
      ? createHash("sha1")
          .update(m.src.chunkName + "\0" + coroutines + "\0" + m.src.text)
          .digest("hex")
      : "";
    const hit = options.cache?.get(m.src.path);
    if (hit !== undefined && hit.hash === hash) {
      warnings.push(...hit.warnings);
      compiled.set(m.src.path, hit.js);
      continue;
    }
    try {
      const out = compileModule(m.src, { runtimeImport: RUNTIME_LUA, coroutines });
      warnings.push(...out.warnings);
      compiled.set(m.src.path, withInlineMap(out));
      options.cache?.set(m.src.path, { hash, js: compiled.get(m.src.path)!, warnings: out.warnings });
    } catch (e) {
      if (e instanceof CompileError) errors.push(...e.diagnostics);
      else throw e;
    }
  }
  if (errors.length > 0) throw new CompileError(errors);

  const result = await esbuild.build({
    stdin: { contents: entrySource(modules), resolveDir: ROOT, sourcefile: "rover-entry.js", loader: "js" },
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node24",
    write: false,
    outfile: resolve(cwd, "app.js"),
    sourcemap: "external",
    sourcesContent: true,
    minifySyntax: options.minify ?? false,
    logLevel: "silent",
    plugins: [
      {
        name: "rover-lua",
        setup(build) {
          const urls = options.runtimeUrls;
          if (urls !== undefined) {
            build.onResolve({ filter: /\.ts$/ }, (args) => {
              const url = urls.get(args.path);
              return url === undefined ? undefined : { path: url, external: true };
            });
          }
          build.onResolve({ filter: /^lua:/ }, (args) => ({ path: args.path.slice(4), namespace: "lua" }));
          build.onLoad({ filter: /.*/, namespace: "lua" }, (args) => ({
            contents: compiled.get(args.path)!,
            loader: "js",
            resolveDir: ROOT,
          }));
        },
      },
    ],
  });
  const js = result.outputFiles.find((f) => f.path.endsWith(".js"))!;
  const mapFile = result.outputFiles.find((f) => f.path.endsWith(".map"))!;
  const map = JSON.parse(mapFile.text);
  const chunkNames = new Set(modules.map((m) => m.src.chunkName));
  map.x_rover_chunks = map.sources.map((s: string) => {
    // esbuild writes sources as URL paths: "sp ace.lua" comes back as "sp%20ace.lua".
    const name = decodeSource(s.replace(/^lua:/, ""));
    const chunk = chunkNames.has(name) ? name : byPath.has(name) ? byPath.get(name)!.src.chunkName : null;
    // Chunk names appear inside Lua strings (error messages), which are bytes.
    return chunk === null ? null : Buffer.from(chunk, "utf8").toString("latin1");
  });
  const code = js.text.replace(/\/\/# sourceMappingURL=.*\n?$/, "");
  const entry = modules[0];
  const manifest: Manifest = {
    entry: entry.src.chunkName,
    chunks: modules.map((m) => m.src.chunkName),
    routes: findRoutes(parse(entry.src)),
    builtAt: new Date().toISOString(),
  };
  return { code, map, manifest, modules, warnings };
}

function decodeSource(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Does the file mention `coroutine` (the library) anywhere outside comments and strings? */
export function usesCoroutines(src: SourceFile): boolean {
  return mentions(src, new Set(["coroutine"]));
}

/** Does the file use one of these names as an identifier? */
function mentions(src: SourceFile, names: Set<string>): boolean {
  if (![...names].some((n) => src.text.includes(n))) return false;
  let found = false;
  const visit = (n: any): void => {
    if (found || n === null || typeof n !== "object") return;
    if (Array.isArray(n)) return n.forEach(visit);
    if (n.type === "Identifier" && names.has(n.name)) {
      found = true;
      return;
    }
    for (const k in n) if (k !== "loc" && k !== "range") visit(n[k]);
  };
  visit(parse(src).body);
  return found;
}
