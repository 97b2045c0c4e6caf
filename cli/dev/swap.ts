// The worker generations of `rover dev`: each build is served by its own worker threads.
// A new build boots on warm standby threads (dev-worker.ts) and starts listening on the
// shared port (reusePort) while the previous generation still serves; only then is the
// previous one drained (stops accepting, finishes what it has, closes its connections), so a
// swap drops no request, and a build that fails to boot or listen leaves the old one serving.
import { pathToFileURL } from "node:url";
import { WorkerHandle, WorkerCrash } from "../../runtime/server/worker-handle.ts";
import type { BootedConfig, WorkerMessage } from "../../runtime/server/protocol.ts";
import { resolveAddress, probePort, displayUrl } from "../../runtime/server/listen.ts";
import type { Address, ListenFlags } from "../../runtime/server/listen.ts";
import { DRAIN_TIMEOUT_MS, portInUseMessage } from "../../runtime/server/workers.ts";
import { RoverError } from "../../runtime/rover/errors.ts";
import type { DevWorkerData } from "./dev-worker.ts";

const DEV_WORKER_URL = new URL("./dev-worker.ts", import.meta.url);

export type Env = Record<string, string | undefined>;

export type DeployOutcome =
  /** `moved`: the address differs from the previous build's (first build, or a new port). */
  | { kind: "serving"; url: string; workers: number; moved: boolean; config: BootedConfig }
  /** The main chunk returned no rover.server api: it ran as a script (`code`: os.exit's). */
  | { kind: "script"; code: number }
  /** `portInUse`: nothing could listen because another process holds the port. */
  | { kind: "failed"; message: string; portInUse: boolean };

interface Generation {
  handles: WorkerHandle[];
  appPath: string;
}

class DeployFailure extends Error {
  readonly portInUse: boolean;
  constructor(message: string, portInUse = false) {
    super(message);
    this.portInUse = portInUse;
  }
}

export interface GenerationsOptions {
  workers: number;
  flags: ListenFlags;
  env: Env;
  /** A worker of the serving generation died; the caller decides whether to redeploy. */
  onCrash(reason: string): void;
  /** A generation has ended (drained or failed): its build directory may go. */
  onRetired(appPath: string): void;
}

export class Generations {
  private readonly options: GenerationsOptions;
  private current: Generation | null = null;
  /** Warm threads waiting for a build, per worker slot, oldest (warmest) first. */
  private standby: WorkerHandle[][] = [];
  private readonly retiring = new Set<Promise<void>>();
  private readonly draining = new Set<WorkerHandle>();
  /** The address asked for (config, env, flags) and the one bound (port 0 resolved). */
  private requested: Address | null = null;
  private bound: Address | null = null;
  private env: Env;
  private stopped = false;

  constructor(options: GenerationsOptions) {
    this.options = options;
    this.env = options.env;
  }

  /** The build being served, if any. */
  get servingPath(): string | null {
    return this.current?.appPath ?? null;
  }

  /**
   * Starts standby threads so a deploy does not wait for a thread to load (~200 ms, much
   * more on a busy machine). With one worker (the default) two are kept, so that quick
   * successive saves each find a warm one.
   */
  prewarm(): void {
    if (this.stopped) return;
    const depth = this.options.workers === 1 ? 2 : 1;
    for (let i = 0; i < this.options.workers; i++) {
      const queue = (this.standby[i] = (this.standby[i] ?? []).filter((h) => !h.exited));
      while (queue.length < depth) queue.push(this.spawn(i));
    }
  }

  /** Environment of the next generation's threads (.env changed): standbys are replaced. */
  setEnv(env: Env): void {
    if (JSON.stringify(env) === JSON.stringify(this.env)) return;
    this.env = env;
    for (const h of this.standby.flat()) void h.terminate();
    this.standby = [];
  }

  /** Boots, listens and swaps in the build at `appPath`; the old generation keeps serving on failure. */
  async deploy(appPath: string, signal?: AbortSignal): Promise<DeployOutcome> {
    const appUrl = pathToFileURL(appPath).href;
    const next = (h: WorkerHandle) => abortable(h.next(), signal);
    const fresh: WorkerHandle[] = [];
    try {
      // Worker 0 first: its answer says whether this is a server at all (a script must run once).
      const first = this.take(0, fresh);
      first.send({ type: "boot", appUrl });
      const m = await next(first);
      if (m.type === "script" || m.type === "exit") {
        first.stopping = true;
        return { kind: "script", code: m.type === "exit" ? m.code : 0 };
      }
      const config = booted(first, m);
      const rest = [];
      for (let i = 1; i < this.options.workers; i++) {
        const h = this.take(i, fresh);
        h.send({ type: "boot", appUrl });
        rest.push(next(h).then((r) => booted(h, r)));
      }
      await Promise.all(rest);

      const { requested, address } = await this.address(config);
      await Promise.all(fresh.map((h) => listen(h, address, next)));

      const moved = this.bound === null || !sameAddress(this.bound, address);
      this.requested = requested;
      this.bound = address;
      const old = this.current;
      this.current = { handles: fresh.splice(0), appPath };
      for (const h of this.current.handles) h.onCrash = (w, reason) => this.crashed(w, reason);
      if (old !== null) this.retire(old, "drain");
      return { kind: "serving", url: displayUrl(address), workers: this.options.workers, moved, config };
    } catch (e) {
      return {
        kind: "failed",
        message: failureText(e),
        portInUse: e instanceof DeployFailure && e.portInUse,
      };
    } finally {
      // Whatever did not go into service (a failed boot, a script's thread) is dropped.
      for (const h of fresh) void h.terminate();
      this.prewarm();
    }
  }

  /** Serving generation closed gracefully, standbys and draining ones ended; resolves when all are gone. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const h of this.standby.flat()) void h.terminate();
    this.standby = [];
    // Draining workers are told to close idle connections now rather than after their grace.
    for (const h of this.draining) void h.close(DRAIN_TIMEOUT_MS, "close");
    if (this.current !== null) this.retire(this.current, "close");
    this.current = null;
    while (this.retiring.size > 0) await Promise.all([...this.retiring]);
  }

  /** Ends every thread at once (a second Ctrl-C). */
  kill(): void {
    this.stopped = true;
    const all = [...this.standby.flat(), ...this.draining, ...(this.current?.handles ?? [])];
    for (const h of all) void h?.terminate();
  }

  /** Runtime modules each standby loads ahead of its build (see dev-worker.ts). */
  preload: string[] = [];

  private spawn(index: number): WorkerHandle {
    // Only worker 0 shows what the main chunk prints, as with `rover start`.
    const data: DevWorkerData = { appUrl: "", index, quietBoot: index > 0, preload: this.preload };
    return new WorkerHandle(data, { url: DEV_WORKER_URL, env: this.env });
  }

  /** The standby of slot `index` (or a new thread), recorded in `fresh`. */
  private take(index: number, fresh: WorkerHandle[]): WorkerHandle {
    const queue = this.standby[index] ?? [];
    let h = queue.shift();
    while (h !== undefined && h.exited) h = queue.shift();
    if (h === undefined) h = this.spawn(index);
    fresh.push(h);
    return h;
  }

  /**
   * Where this build listens. The same requested address as before reuses the bound port
   * (port 0 stays on the port it got); a new one is probed first, as `rover start` does.
   */
  private async address(config: BootedConfig): Promise<{ requested: Address; address: Address }> {
    const requested = resolveAddress(config, this.options.flags, this.env);
    const bound = this.bound;
    if (bound !== null && (sameAddress(requested, this.requested!) || sameAddress(requested, bound))) {
      return { requested, address: bound };
    }
    try {
      return { requested, address: { host: requested.host, port: await probePort(requested) } };
    } catch (e) {
      if (e instanceof RoverError && e.code === "ROVER_ERR_PORT_IN_USE")
        throw new DeployFailure(portInUseMessage(requested).replace(/^Rover failed to start: /, ""), true);
      throw e;
    }
  }

  private retire(gen: Generation, how: "drain" | "close"): void {
    for (const h of gen.handles) {
      h.onCrash = null;
      this.draining.add(h);
    }
    const done = Promise.all(
      gen.handles.map((h) => h.close(DRAIN_TIMEOUT_MS, how).finally(() => this.draining.delete(h))),
    ).then(() => this.options.onRetired(gen.appPath));
    this.retiring.add(done);
    void done.finally(() => this.retiring.delete(done));
  }

  private crashed(h: WorkerHandle, reason: string): void {
    if (this.stopped || this.current === null || !this.current.handles.includes(h)) return;
    this.options.onCrash(`worker ${h.index} crashed: ${reason}`);
  }
}

function booted(h: WorkerHandle, m: WorkerMessage): BootedConfig {
  if (m.type === "booted") return m.config;
  if (m.type === "failed") throw new DeployFailure(m.message);
  if (m.type === "script" || m.type === "exit")
    throw new DeployFailure(`worker ${h.index} ran the app as a script, worker 0 as a server`);
  throw new DeployFailure(`worker ${h.index} sent '${m.type}' while booting`);
}

async function listen(
  h: WorkerHandle,
  address: Address,
  next: (h: WorkerHandle) => Promise<WorkerMessage>,
): Promise<void> {
  h.send({ type: "listen", host: address.host, port: address.port });
  const m = await next(h);
  if (m.type === "listening") return;
  if (m.type === "listen-failed" && m.code === "EADDRINUSE")
    throw new DeployFailure(`Port ${address.port} is already in use on ${address.host}`, true);
  throw new DeployFailure(
    `cannot listen on ${displayUrl(address)}: ${m.type === "listen-failed" ? m.message : m.type}`,
  );
}

/** `p`, or a DeployFailure as soon as `signal` aborts (a boot stuck in an endless loop). */
function abortable<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return p;
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new DeployFailure(String(signal.reason)));
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

function sameAddress(a: Address, b: Address): boolean {
  return a.host === b.host && a.port === b.port;
}

function failureText(e: unknown): string {
  if (e instanceof DeployFailure || e instanceof RoverError) return e.message;
  if (e instanceof WorkerCrash) return `a worker crashed: ${e.message}`;
  return e instanceof Error ? e.message : String(e);
}
