// The `rover dev` loop: build, serve, watch; on every change rebuild (rebuild.ts) and swap
// worker generations (swap.ts), one rebuild at a time, with one line saying what changed and
// how long it took. A build that fails to compile or to boot is reported and the last good
// build keeps serving; the next change tries again.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { formatDiagnostic } from "../../compiler/diagnostics.ts";
import type { ListenFlags } from "../../runtime/server/listen.ts";
import { startupNotices } from "../../runtime/server/workers.ts";
import { Rebuilder, type Attempt } from "./rebuild.ts";
import { Generations, type Env } from "./swap.ts";
import { Watcher } from "./watcher.ts";

export interface DevOptions {
  workers: number;
  flags: ListenFlags;
  /** The process environment; the app's .env fills in what it does not set. */
  env: Env;
  cwd: string;
  /** One line of progress (stdout). */
  out(line: string): void;
  /** Errors and warnings, possibly several lines (stderr). */
  err(text: string): void;
  color: boolean;
}

/** A deploy still booting after this long is reported (an endless loop in the main chunk?). */
const SLOW_BOOT_MS = 3000;
/** A change arriving while a deploy has been running this long cancels that deploy. */
const SUPERSEDE_AFTER_MS = 2000;

export class DevSession {
  private readonly entry: string;
  private readonly options: DevOptions;
  private readonly outRoot: string;
  private readonly rebuilder: Rebuilder;
  private readonly generations: Generations;
  private readonly watcher: Watcher;
  private running: Promise<void> | null = null;
  private dirty = false;
  private restartPending = false;
  private lastRestart = -Infinity;
  private deploying: { controller: AbortController; since: number } | null = null;
  private stopped = false;
  private serving = false;
  private fatal: number | null = null;
  private noticesShown = "";

  constructor(entry: string, options: DevOptions) {
    this.entry = entry;
    this.options = options;
    this.outRoot = mkdtempSync(join(tmpdir(), "rover-dev-"));
    this.rebuilder = new Rebuilder(entry, options.cwd, this.outRoot);
    this.generations = new Generations({
      workers: options.workers,
      flags: options.flags,
      env: options.env,
      onCrash: (reason) => this.crashed(reason),
      onRetired: (appPath) => this.removeBuild(appPath),
    });
    this.watcher = new Watcher(() => this.schedule());
  }

  /**
   * Builds and serves the app, then keeps watching. Resolves with an exit code when dev
   * cannot go on (the entry is missing, the port is taken), else with null.
   */
  async start(): Promise<number | null> {
    // Threads load while the first build compiles.
    this.generations.preload = await this.rebuilder.prepare();
    this.generations.prewarm();
    // The first build goes through the same queue as the rebuilds the watcher asks for.
    this.dirty = true;
    this.schedule(false);
    await this.running;
    return this.fatal;
  }

  /** Stops watching, closes every worker gracefully and removes the builds. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.watcher.close();
    this.deploying?.controller.abort("stopped");
    await this.running;
    await this.generations.stop();
    rmSync(this.outRoot, { recursive: true, force: true });
  }

  /** Ends every worker at once and removes the builds (a second Ctrl-C). */
  kill(): void {
    this.stopped = true;
    this.watcher.close();
    this.generations.kill();
    rmSync(this.outRoot, { recursive: true, force: true });
  }

  /** Runs a rebuild now, or right after the one in progress (`change`: something was saved). */
  private schedule(change = true): void {
    if (this.stopped) return;
    if (change) this.dirty = true;
    const d = this.deploying;
    if (change && d !== null && performance.now() - d.since > SUPERSEDE_AFTER_MS) {
      d.controller.abort("superseded by a newer change before it finished booting");
    }
    if (this.running !== null || !this.dirty) return;
    this.running = (async () => {
      while (this.dirty && !this.stopped && this.fatal === null) {
        this.dirty = false;
        try {
          await this.step();
        } catch (e) {
          this.options.err(`rover: internal error: ${e instanceof Error ? (e.stack ?? e.message) : e}`);
        }
      }
    })().finally(() => (this.running = null));
  }

  private async step(): Promise<void> {
    if (this.restartPending) await this.restart(performance.now());
    const t0 = performance.now();
    const a = await this.rebuilder.attempt();
    if (a.kind === "unchanged") return;
    this.watcher.update(a.watch);
    this.generations.setEnv(envWith(this.options.env, a.envFile));
    const what = a.changes === "" ? "" : a.changes + ", ";
    if (a.kind === "failed") {
      this.options.err(
        a.diagnostics.length > 0
          ? a.diagnostics.map((d) => formatDiagnostic(d, this.options.color)).join("\n")
          : `rover: ${a.message}`,
      );
      // No app file at all when dev starts: a typo, not something to wait for.
      const missing = a.changes === "" && a.diagnostics.length === 0;
      if (missing) this.fatal = 1;
      else this.options.err(`rover: ${what}build failed; ${this.keeping()}`);
      return;
    }
    const warnings = a.warnings.filter((d) => a.changedFiles.has(d.file.path));
    if (warnings.length > 0)
      this.options.err(warnings.map((d) => formatDiagnostic(d, this.options.color)).join("\n"));
    await this.deploy(a, t0, what);
  }

  private async deploy(a: Attempt & { kind: "built" }, t0: number, what: string): Promise<void> {
    const controller = new AbortController();
    this.deploying = { controller, since: t0 };
    const slow = setTimeout(
      () =>
        this.options.err(
          `rover: the new build has been booting for ${SLOW_BOOT_MS / 1000} s ` +
            `(an endless loop in the main chunk?); save a change to replace it`,
        ),
      SLOW_BOOT_MS,
    );
    const d = await this.generations.deploy(a.appPath, controller.signal);
    clearTimeout(slow);
    this.deploying = null;
    const ms = Math.round(performance.now() - t0);
    if (d.kind === "serving") {
      const first = !this.serving;
      this.serving = true;
      if (d.moved) {
        const n = d.workers;
        this.options.out(
          `Rover listening on ${d.url} (${n} ${n === 1 ? "worker" : "workers"}; Lua state is per worker)`,
        );
      }
      // Said again only when they change, not on every rebuild.
      const notices = startupNotices(d.config);
      if (notices.join("\n") !== this.noticesShown) {
        for (const line of notices) this.options.err(line);
        this.noticesShown = notices.join("\n");
      }
      if (first && what === "") {
        const n = a.watch.files.length - 1;
        this.options.out(
          `rover: serving ${this.entry} (${n} Lua ${n === 1 ? "file" : "files"} watched, built in ${ms} ms); ` +
            `each change rebuilds it and resets its Lua state. Ctrl-C stops`,
        );
      } else {
        this.options.out(`rover: ${what}${first ? "built" : "rebuilt"} in ${ms} ms, serving`);
      }
      return;
    }
    this.removeBuild(a.appPath);
    if (d.kind === "script") {
      const status = d.code === 0 ? "" : ` (exit status ${d.code})`;
      this.options.out(
        `rover: ${what}ran ${this.entry} as a script${status}: it returns no rover.server api, ` +
          `so there is nothing to serve; ${this.keeping()}`,
      );
      return;
    }
    this.options.err(`${d.message}\nrover: ${what}the new build failed to start; ${this.keeping()}`);
    if (d.portInUse && !this.serving) this.fatal = 1;
  }

  /** A worker of the serving build died: boot the same build again, unless that just happened. */
  private crashed(reason: string): void {
    const again = performance.now() - this.lastRestart < 2000;
    this.options.err(`rover: ${reason}` + (again ? `; ${this.keeping(false)}` : "; restarting it"));
    if (again) return;
    this.restartPending = true;
    this.dirty = true;
    this.schedule(false);
  }

  private async restart(t0: number): Promise<void> {
    this.restartPending = false;
    this.lastRestart = performance.now();
    const appPath = this.generations.servingPath;
    if (appPath === null) return;
    const d = await this.generations.deploy(appPath);
    if (d.kind === "serving")
      this.options.out(`rover: restarted in ${Math.round(performance.now() - t0)} ms`);
    else this.options.err(`rover: restart failed: ${d.kind === "failed" ? d.message : "not a server"}`);
  }

  private keeping(serving = this.serving): string {
    return serving ? "still serving the last good build" : "waiting for changes";
  }

  /** Deletes a build's directory, unless that build is the one being served. */
  private removeBuild(appPath: string): void {
    if (appPath === this.generations.servingPath) return;
    rmSync(dirname(appPath), { recursive: true, force: true });
  }
}

/** The process environment wins over the app's .env, as with node --env-file. */
function envWith(env: Env, envFile: Record<string, string> | null): Env {
  if (envFile === null) return env;
  const out: Env = { ...envFile };
  for (const k in env) if (env[k] !== undefined && env[k] !== "") out[k] = env[k];
  return out;
}
