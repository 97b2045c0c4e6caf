// Incremental builds for `rover dev`: reads the app's files, decides from content hashes
// (not timestamps) whether anything that matters changed since the last attempt, says what
// changed, and builds with a module cache so only changed modules are compiled again. Each
// build goes to a directory of its own: the previous build keeps serving (and reading its
// source map for error positions) while the new one starts.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseEnv } from "node:util";
import * as esbuild from "esbuild";
import { pathToFileURL } from "node:url";
import {
  buildApp,
  collectModules,
  RUNTIME_ENTRIES,
  type LuaModuleFile,
  type ModuleCache,
} from "../../compiler/bundle.ts";
import { CompileError, type Diagnostic } from "../../compiler/diagnostics.ts";
import { findRequires } from "../../compiler/analyse/requires.ts";
import { parse } from "../../compiler/parse.ts";
import { writeBuild } from "../commands/compile.ts";
import type { WatchSet } from "./watcher.ts";

interface Common {
  /** "app.lua changed", "./util.lua added, .env changed"; "" for the first attempt. */
  changes: string;
  /** Absolute paths of the modules that are new or changed (every one on the first attempt). */
  changedFiles: Set<string>;
  /** What to watch from now on. */
  watch: WatchSet;
  /** The variables of the app's .env (null when there is none). */
  envFile: Record<string, string> | null;
}

export type Attempt =
  | { kind: "unchanged" }
  | (Common & { kind: "built"; appPath: string; warnings: Diagnostic[] })
  /** `diagnostics` for compile errors, else `message` ("cannot read app.lua"). */
  | (Common & { kind: "failed"; diagnostics: Diagnostic[]; message: string });

export class Rebuilder {
  private readonly entry: string;
  private readonly cwd: string;
  private readonly outRoot: string;
  private readonly envPath: string;
  private readonly cache: ModuleCache = new Map();
  /** Content hash and chunk name of every file of the last attempt. */
  private hashes = new Map<string, string>();
  private names = new Map<string, string>();
  private envText: string | null = null;
  private signature: string | null = null;
  private watch: WatchSet;
  private count = 0;
  private runtime: Map<string, string> | null = null;

  /** `entry` as given on the command line; builds go to numbered directories under `outRoot`. */
  constructor(entry: string, cwd: string, outRoot: string) {
    this.entry = entry;
    this.cwd = cwd;
    this.outRoot = outRoot;
    const entryAbs = resolve(cwd, entry);
    this.envPath = join(dirname(entryAbs), ".env");
    this.watch = { files: [entryAbs, this.envPath], candidates: [] };
    this.names.set(entryAbs, entry);
  }

  /**
   * Builds the runtime the app builds import; resolves with the URLs a standby worker
   * preloads (not the run-time compiler, which few apps use).
   */
  async prepare(): Promise<string[]> {
    this.runtime ??= await buildRuntime(join(this.outRoot, "runtime"));
    const runtime = this.runtime;
    return RUNTIME_ENTRIES.slice(0, -1).map((p) => runtime.get(p)!);
  }

  /** Builds if anything changed since the last attempt (successful or not). */
  async attempt(): Promise<Attempt> {
    const first = this.signature === null;
    const envText = readOrNull(this.envPath);
    let modules: LuaModuleFile[] | null = null;
    let failure: unknown = null;
    try {
      modules = collectModules(this.entry, this.cwd);
    } catch (e) {
      failure = e;
    }
    // Without a module list (a syntax error, a missing file), the files of the last attempt stand in.
    const now = new Map<string, string>();
    if (modules !== null) {
      for (const m of modules) {
        now.set(m.src.path, hash(m.src.text));
        this.names.set(m.src.path, m.src.chunkName);
      }
    } else {
      const known = new Set([resolve(this.cwd, this.entry), ...this.hashes.keys()]);
      if (failure instanceof CompileError) {
        for (const d of failure.diagnostics) {
          known.add(d.file.path);
          this.names.set(d.file.path, d.file.chunkName);
        }
      }
      for (const path of known) {
        const text = readOrNull(path, "latin1");
        if (text !== null) now.set(path, hash(text));
      }
    }
    const signature =
      [...now].map(([p, h]) => p + "=" + h).join("\n") +
      "\n.env=" +
      envText +
      (failure === null ? "" : "\nerror=" + errorText(failure));
    if (signature === this.signature) return { kind: "unchanged" };
    this.signature = signature;
    const changes = first ? "" : this.describeChanges(now, envText);
    const changedFiles = new Set([...now.keys()].filter((p) => this.hashes.get(p) !== now.get(p)));
    this.hashes = now;
    this.envText = envText;
    const envFile = envText === null ? null : (parseEnv(envText) as Record<string, string>);

    if (modules !== null) this.watch = this.watchSet(modules);
    else this.watch = this.withDiagnosticFiles(failure);
    const common = { changes, changedFiles, watch: this.watch, envFile };
    if (failure !== null) return { kind: "failed", ...common, ...failureOf(failure) };
    try {
      this.runtime ??= await buildRuntime(join(this.outRoot, "runtime"));
      const r = await buildApp(this.entry, { cwd: this.cwd, cache: this.cache, runtimeUrls: this.runtime });
      const dir = join(this.outRoot, String(++this.count));
      mkdirSync(dir, { recursive: true });
      writeBuild(r, dir);
      return { kind: "built", ...common, appPath: join(dir, "app.js"), warnings: r.warnings };
    } catch (e) {
      if (e instanceof CompileError || (e instanceof Error && /^cannot read/.test(e.message)))
        return { kind: "failed", ...common, ...failureOf(e) };
      throw e;
    }
  }

  private describeChanges(now: Map<string, string>, envText: string | null): string {
    const changed: string[] = [];
    const added: string[] = [];
    const removed: string[] = [];
    const name = (p: string) => this.names.get(p) ?? p;
    for (const [p, h] of now) {
      const before = this.hashes.get(p);
      if (before === undefined) added.push(name(p));
      else if (before !== h) changed.push(name(p));
    }
    for (const p of this.hashes.keys()) if (!now.has(p)) removed.push(name(p));
    if (envText !== this.envText) changed.push(".env");
    const parts = [];
    if (changed.length > 0) parts.push(changed.join(", ") + " changed");
    if (added.length > 0) parts.push(added.join(", ") + " added");
    if (removed.length > 0) parts.push(removed.join(", ") + " removed");
    return parts.length > 0 ? parts.join(", ") : "files changed";
  }

  /** The modules, .env, and where each require that found nothing would find its file. */
  private watchSet(modules: LuaModuleFile[]): WatchSet {
    const entryDir = dirname(resolve(this.cwd, this.entry));
    const candidates: string[] = [];
    const warnings: Diagnostic[] = (modules as any).warnings ?? [];
    for (const d of warnings) {
      if (d.code !== "module_not_found") continue;
      const site = findRequires(parse(d.file)).find((r) => r.line === d.line && r.column === d.column);
      if (site === undefined) continue;
      const rel = site.name.replace(/\./g, "/");
      for (const base of [entryDir, this.cwd]) {
        candidates.push(join(base, rel + ".lua"), join(base, rel, "init.lua"));
      }
    }
    return { files: [...modules.map((m) => m.src.path), this.envPath], candidates };
  }

  /** A failed collect: the last watch set, plus any file the diagnostics name (a new module). */
  private withDiagnosticFiles(failure: unknown): WatchSet {
    const files = new Set(this.watch.files);
    if (failure instanceof CompileError) for (const d of failure.diagnostics) files.add(d.file.path);
    return { files: [...files], candidates: this.watch.candidates };
  }
}

/**
 * The runtime, bundled once per session (one module per RUNTIME_ENTRIES path, sharing
 * chunks). App builds import it instead of bundling it: a rebuild then only bundles the
 * compiled Lua, and a standby worker loads one JS module graph instead of the TS sources.
 */
async function buildRuntime(outDir: string): Promise<Map<string, string>> {
  const result = await esbuild.build({
    entryPoints: RUNTIME_ENTRIES,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node24",
    outdir: outDir,
    entryNames: "[name]-[hash]",
    metafile: true,
    logLevel: "silent",
  });
  const urls = new Map<string, string>();
  for (const [out, info] of Object.entries(result.metafile.outputs)) {
    if (info.entryPoint !== undefined) urls.set(resolve(info.entryPoint), pathToFileURL(resolve(out)).href);
  }
  return urls;
}

function failureOf(e: unknown): { diagnostics: Diagnostic[]; message: string } {
  if (e instanceof CompileError) return { diagnostics: e.diagnostics, message: e.message };
  return { diagnostics: [], message: errorText(e) };
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function hash(text: string): string {
  return createHash("sha1").update(text, "latin1").digest("hex");
}

function readOrNull(path: string, encoding: BufferEncoding = "utf8"): string | null {
  try {
    return readFileSync(path, encoding);
  } catch {
    return null;
  }
}
