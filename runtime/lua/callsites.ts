// Maps JS stack frames back to Lua frames (chunk name and line) through the source maps of
// the compiled bundles. Bundles register themselves when they load; maps are read lazily,
// on the first error that needs a position, so successful requests never pay for this.
import { SourceMap } from "node:module";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export interface LuaFrame {
  /** "[C]" for library functions that count as C levels (pcall); line is -1 then. */
  chunk: string;
  line: number;
  /** The JS function name of the frame, which the compiler derives from the Lua name. */
  functionName: string | null;
}

interface CompiledFile {
  loaded: boolean;
  map: SourceMap | null;
  /** source-map source -> Lua chunk name ("app.lua"), for the sources that are Lua. */
  chunks: Map<string, string>;
}

const files = new Map<string, CompiledFile>();

/** Called by every compiled bundle at load with its own import.meta.url. */
export function registerCompiledFile(url: string): void {
  if (!files.has(url)) files.set(url, { loaded: false, map: null, chunks: new Map() });
}

/** Registers a compiled file whose source map is already in memory (tests, `rover run`). */
export function registerCompiledMap(url: string, mapJson: any): void {
  const entry: CompiledFile = { loaded: false, map: null, chunks: new Map() };
  files.set(url, entry);
  loadMap(entry, mapJson);
}

function loadMap(entry: CompiledFile, json: any): void {
  entry.loaded = true;
  entry.map = new SourceMap(json);
  const names: (string | null)[] = json.x_rover_chunks ?? [];
  json.sources.forEach((src: string, i: number) => {
    if (names[i] !== null && names[i] !== undefined) entry.chunks.set(src, names[i]!);
  });
}

function compiledFile(url: string | null | undefined): CompiledFile | undefined {
  if (!url) return undefined;
  const entry = files.get(url);
  if (entry === undefined || entry.loaded) return entry;
  entry.loaded = true;
  try {
    const path = url.startsWith("file:") ? fileURLToPath(url) : url;
    loadMap(entry, JSON.parse(readFileSync(path + ".map", "utf8")));
  } catch {
    entry.map = null;
  }
  return entry;
}

function callSitesOf(target: object): NodeJS.CallSite[] {
  const prepare = Error.prepareStackTrace;
  Error.prepareStackTrace = (_e, sites) => sites;
  try {
    const stack = (target as { stack?: unknown }).stack;
    return Array.isArray(stack) ? stack : [];
  } finally {
    Error.prepareStackTrace = prepare;
  }
}

function toLuaFrame(site: NodeJS.CallSite): LuaFrame | null {
  const fnName = site.getFunctionName();
  if (fnName !== null && fnName.endsWith("$C"))
    return { chunk: "[C]", line: -1, functionName: fnName.slice(0, -2) };
  const file = compiledFile(site.getScriptNameOrSourceURL() ?? site.getFileName());
  if (file === undefined || file.map === null) return null;
  const line = site.getLineNumber();
  const col = site.getColumnNumber();
  if (line === null || col === null) return null;
  const entry = file.map.findEntry(line - 1, col - 1) as { originalSource?: string; originalLine?: number };
  if (!entry || entry.originalSource === undefined) return null;
  const chunk = file.chunks.get(entry.originalSource);
  if (chunk === undefined) return null;
  return { chunk, line: entry.originalLine! + 1, functionName: site.getFunctionName() };
}

/** The Lua frames of the current stack, innermost first. */
export function currentLuaFrames(max = 64): LuaFrame[] {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = max * 4;
  const holder = {};
  Error.captureStackTrace(holder, currentLuaFrames);
  Error.stackTraceLimit = limit;
  return framesFromSites(callSitesOf(holder));
}

/** The Lua frames captured in an error object when it was created (innermost first). */
export function errorLuaFrames(error: Error): LuaFrame[] {
  return framesFromSites(callSitesOf(error));
}

function framesFromSites(sites: NodeJS.CallSite[]): LuaFrame[] {
  const out: LuaFrame[] = [];
  for (const s of sites) {
    const f = toLuaFrame(s);
    if (f !== null) out.push(f);
  }
  return out;
}

/** "chunk:line: " for the Lua frame at `level` (1 = innermost), or "" when there is none. */
export function luaWhere(level: number): string {
  const frames = currentLuaFrames(level + 2);
  const f = frames[level - 1];
  return f === undefined || f.line < 0 ? "" : f.chunk + ":" + f.line + ": ";
}
