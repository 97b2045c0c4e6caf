// `rover check`: parses the app and every module it requires (a syntax error in one file does
// not stop the others), then reports route-tree problems, malformed guard schemas, undefined
// globals and the compile errors `rover build` would give, plus the static route table.
// loadApp reads the files; checkFiles is pure.
import { readFileSync } from "node:fs";
import { dirname, relative, resolve, sep } from "node:path";
import type * as L from "../lua-ast.ts";
import { parse } from "../parse.ts";
import { sourceFile, type SourceFile } from "../source.ts";
import { CompileError } from "../diagnostics.ts";
import { lowerChunk } from "../lower/index.ts";
import { findRequires, resolveModule } from "./requires.ts";
import { resolveScopes, STANDARD_GLOBALS, type Resolution } from "./globals.ts";
import { analyseRoutes, type StaticRoute, type Unit } from "./route-tree.ts";
import { checkGuards } from "./guard-literals.ts";
import {
  fromDiagnostic,
  moduleNotFound,
  siteOf,
  undefinedGlobal,
  type CheckDiagnostic,
} from "./check-messages.ts";

export type { CheckDiagnostic, Note } from "./check-messages.ts";
export type { StaticRoute } from "./route-tree.ts";

/** One file of the app: parsed, or null after a syntax error. */
export interface AppFile {
  /** require name ("users"); "" for the entry. */
  name: string;
  src: SourceFile;
  chunk: L.Chunk | null;
}

export interface LoadedApp {
  files: AppFile[];
  /** Syntax errors and modules that could not be found. */
  diagnostics: CheckDiagnostic[];
}

export interface CheckResult {
  files: SourceFile[];
  /** Sorted by file (entry first), then line and column. */
  diagnostics: CheckDiagnostic[];
  routes: StaticRoute[];
  serverFound: boolean;
  errors: number;
  warnings: number;
}

/** Chunk name as bundle.ts gives it: the entry as typed, modules as package.path finds them ("./users.lua"). */
function chunkNameFor(path: string, cwd: string, given: string | null): string {
  if (given !== null) return given;
  const rel = relative(cwd, path).split(sep).join("/");
  if (rel.startsWith("..") || rel.startsWith("/")) return path;
  return "./" + rel;
}

/**
 * Reads and parses the entry and every module reachable through constant-name `require`.
 * Throws `Error("cannot read <file>")` when the entry itself cannot be read.
 */
export function loadApp(entryPath: string, cwd: string): LoadedApp {
  const entryAbs = resolve(cwd, entryPath);
  const entryDir = dirname(entryAbs);
  const files: AppFile[] = [];
  const diagnostics: CheckDiagnostic[] = [];
  const seen = new Set<string>();
  const queue: { name: string; path: string }[] = [{ name: "", path: entryAbs }];
  while (queue.length > 0) {
    const { name, path } = queue.shift()!;
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch {
      if (name === "") throw new Error(`cannot read ${entryPath}`);
      continue;
    }
    const src = sourceFile(path, chunkNameFor(path, cwd, name === "" ? entryPath : null), bytes);
    let chunk: L.Chunk | null = null;
    try {
      chunk = parse(src);
    } catch (e) {
      if (!(e instanceof CompileError)) throw e;
      diagnostics.push(...e.diagnostics.map(fromDiagnostic));
    }
    files.push({ name, src, chunk });
    if (chunk === null) continue;
    for (const r of findRequires(chunk)) {
      if (seen.has(r.name)) continue;
      seen.add(r.name);
      const found = resolveModule(r.name, entryDir, cwd);
      if (found === null)
        diagnostics.push(moduleNotFound(r.name, { file: src, line: r.line, column: r.column }));
      else queue.push({ name: r.name, path: found });
    }
  }
  return { files, diagnostics };
}

/** Analyses loaded files; see loadApp. */
export function checkFiles(app: LoadedApp): CheckResult {
  const diagnostics = [...app.diagnostics];
  const units: Unit[] = [];
  for (const f of app.files) {
    if (f.chunk === null) continue;
    units.push({ name: f.name, file: f.src, chunk: f.chunk, scopes: resolveScopes(f.chunk) });
  }
  const globalWrites = new Map<string, (L.Expression | null)[]>();
  for (const u of units) {
    for (const [name, values] of u.scopes.globalWrites)
      globalWrites.set(name, [...(globalWrites.get(name) ?? []), ...values]);
  }

  for (const u of units) {
    diagnostics.push(...compileErrors(u));
    diagnostics.push(...checkGuards(u.file, u.chunk, u.scopes, globalWrites));
  }
  diagnostics.push(...undefinedGlobals(units, globalWrites, app.files.length > units.length));
  const routes = analyseRoutes(units);
  diagnostics.push(...routes.diagnostics);

  const order = new Map(app.files.map((f, i) => [f.src.path, i]));
  diagnostics.sort(
    (a, b) =>
      (order.get(a.file.path) ?? 0) - (order.get(b.file.path) ?? 0) || a.line - b.line || a.column - b.column,
  );
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  return {
    files: app.files.map((f) => f.src),
    diagnostics,
    routes: routes.routes,
    serverFound: routes.serverFound,
    errors,
    warnings: diagnostics.length - errors,
  };
}

/** loadApp + checkFiles. */
export function checkApp(entryPath: string, cwd: string = process.cwd()): CheckResult {
  return checkFiles(loadApp(entryPath, cwd));
}

/** What `rover build` would refuse after parsing (goto rules, break outside a loop). */
function compileErrors(u: Unit): CheckDiagnostic[] {
  try {
    return lowerChunk(u.file, u.chunk, { runtimeImport: "rover/runtime" }).diagnostics.map(fromDiagnostic);
  } catch {
    // The lowering pass is not the checker's business beyond its diagnostics.
    return [];
  }
}

/**
 * Reads of globals that no file assigns. Skipped when the set of assigned globals cannot be
 * known: a file did not parse, or code writes globals by computed name (`_G[k]`, setfenv).
 */
function undefinedGlobals(
  units: Unit[],
  globalWrites: Map<string, unknown>,
  someFileUnparsed: boolean,
): CheckDiagnostic[] {
  if (someFileUnparsed || units.some((u: { scopes: Resolution }) => u.scopes.dynamicGlobals)) return [];
  const out: CheckDiagnostic[] = [];
  for (const u of units) {
    for (const id of u.scopes.globalReads) {
      if (STANDARD_GLOBALS.has(id.name) || globalWrites.has(id.name)) continue;
      out.push(undefinedGlobal(id.name, siteOf(u.file, id)));
    }
  }
  return out;
}
