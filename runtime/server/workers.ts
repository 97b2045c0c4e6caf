// Main-thread side of `rover start`: boots worker 0 (its boot result decides script or
// server and gives the config), resolves and probes the address, starts the other workers,
// prints one "Rover listening" line, then waits for SIGINT/SIGTERM (graceful close, exit 0)
// or a worker crash (reported, the rest stopped, exit 1). Crashed workers are not respawned.
import { pathToFileURL } from "node:url";
import type { WorkerHandle as Handle } from "./worker-handle.ts";
import { WorkerHandle, WorkerCrash } from "./worker-handle.ts";
import type { WorkerMessage, BootedConfig } from "./protocol.ts";
import { resolveAddress, probePort, displayUrl } from "./listen.ts";
import type { ListenFlags, Address } from "./listen.ts";
import { RoverError } from "../rover/errors.ts";
import { fromBytes } from "./logger.ts";

export interface RunOptions {
  /** Path of the compiled dist/app.js. */
  appPath: string;
  workers: number;
  flags: ListenFlags;
  env: NodeJS.ProcessEnv;
  /** Human-readable lines (the listening line, startup errors); each call is one line. */
  out(line: string): void;
  err(line: string): void;
  /** The main chunk already ran elsewhere (rover run): every worker boots without output. */
  quietBoot?: boolean;
}

/** More crashes than this within CRASH_WINDOW_MS stop the server instead of restarting workers. */
const MAX_CRASHES = 5;
const CRASH_WINDOW_MS = 60_000;

/** How long a graceful close may take before workers are terminated. */
export const DRAIN_TIMEOUT_MS = 10_000;

/** Ends start-up with `exitCode`; an empty message prints nothing (os.exit in the main chunk). */
class StartupFailure extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** Runs the server until a signal or a crash; resolves with the process exit code. */
export async function runServer(options: RunOptions): Promise<number> {
  const handles: Handle[] = [];
  let settle: (code: number) => void = () => {};
  const finished = new Promise<number>((resolve) => (settle = resolve));
  let stopping = false;

  const stopAll = async (code: number, graceful: boolean): Promise<void> => {
    if (stopping) return;
    stopping = true;
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await Promise.all(handles.map((h) => (graceful ? h.close(DRAIN_TIMEOUT_MS) : h.terminate())));
    settle(code);
  };
  const onSignal = (): void => void stopAll(0, true);
  // A worker that dies (out of memory in a handler, say) is replaced so the server keeps
  // serving; its in-flight requests are lost. Crashing again and again stops the server.
  const crashes: number[] = [];
  let address: Address | null = null;
  const onCrash = (h: Handle, reason: string): void => {
    options.err(`Rover worker ${h.index} crashed: ${reason}`);
    const now = Date.now();
    crashes.push(now);
    while (crashes[0] < now - CRASH_WINDOW_MS) crashes.shift();
    if (stopping || address === null || crashes.length > MAX_CRASHES) {
      if (!stopping) options.err(`Rover: workers crashed ${crashes.length} times in a minute; stopping`);
      void stopAll(1, false);
      return;
    }
    handles.splice(handles.indexOf(h), 1);
    const replacement = spawn(h.index, true);
    replacement
      .next()
      .then((m) => expectBooted(replacement, m))
      .then(() => listen(replacement, address!))
      .then(() => {
        replacement.onCrash = onCrash;
        options.err(`Rover worker ${h.index} restarted`);
      })
      .catch((e) => {
        options.err(`Rover worker ${h.index} could not be restarted: ${startupMessage(e)}`);
        void stopAll(1, false);
      });
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  const appUrl = pathToFileURL(options.appPath).href;
  const spawn = (index: number, quiet = false): Handle => {
    const h = new WorkerHandle({
      appUrl,
      index,
      quietBoot: quiet || options.quietBoot === true || index > 0,
    });
    handles.push(h);
    return h;
  };

  try {
    const first = spawn(0);
    const booted = await expectBooted(first, await first.next());
    if (booted === null) {
      // A script: worker 0 ran it to the end (its output is already written).
      first.stopping = true;
      await first.exit();
      await stopAll(0, false);
      return finished;
    }
    if (stopping) return finished;
    address = resolveAddress(booted, options.flags, options.env);
    try {
      address.port = await probePort(address);
    } catch (e) {
      if (e instanceof RoverError && e.code === "ROVER_ERR_PORT_IN_USE")
        throw new StartupFailure(portInUseMessage(address));
      throw e;
    }
    const bound = address;
    const starting = [listen(first, bound)];
    for (let i = 1; i < options.workers; i++) {
      const h = spawn(i);
      starting.push(
        h
          .next()
          .then((m) => expectBooted(h, m))
          .then(() => listen(h, bound)),
      );
    }
    await Promise.all(starting);
    if (stopping) return finished;
    for (const h of handles) h.onCrash = onCrash;
    for (const line of startupNotices(booted)) options.err(line);
    const n = handles.length;
    options.out(
      `Rover listening on ${displayUrl(bound)} (${n} ${n === 1 ? "worker" : "workers"}; Lua state is per worker)`,
    );
  } catch (e) {
    const code = e instanceof StartupFailure ? e.exitCode : 1;
    const message = startupMessage(e);
    if (message !== "") options.err(message);
    await stopAll(code, false);
  }
  return finished;
}

/** The config from a "booted" message; null for a script; throws for failures. */
async function expectBooted(h: Handle, m: WorkerMessage): Promise<BootedConfig | null> {
  switch (m.type) {
    case "booted":
      return m.config;
    case "script":
      return null;
    case "exit":
      throw new StartupFailure("", m.code);
    case "failed":
      // The message may quote Lua strings (route keys), which are bytes.
      throw new StartupFailure(`Rover failed to start: ${fromBytes(m.message)}`);
    default:
      throw new StartupFailure(`Rover worker ${h.index} sent '${m.type}' while booting`);
  }
}

async function listen(h: Handle, address: Address): Promise<void> {
  h.send({ type: "listen", host: address.host, port: address.port });
  const m = await h.next();
  if (m.type === "listening") return;
  if (m.type === "listen-failed" && m.code === "EADDRINUSE") {
    throw new StartupFailure(portInUseMessage(address));
  }
  throw new StartupFailure(
    `Rover failed to start: cannot listen on ${displayUrl(address)}: ${m.type === "listen-failed" ? m.message : m.type}`,
  );
}

/** The warnings to print when an app starts: upstream-only options, handlers never served. */
export function startupNotices(config: BootedConfig): string[] {
  return [
    ...config.ignored.map(
      (name) => `Rover: option '${name}' of rover.server has no effect here (upstream-only setting)`,
    ),
    ...config.warnings.map((warning) => `Rover: ${fromBytes(warning)}`),
  ];
}

export function portInUseMessage(address: Address): string {
  return (
    `Rover failed to start: Port ${address.port} is already in use on ${address.host}\n` +
    `Choose another port (--port or PORT) or stop the process using port ${address.port}`
  );
}

function startupMessage(e: unknown): string {
  if (e instanceof StartupFailure) return e.message;
  if (e instanceof RoverError) return `Rover failed to start: ${e.message}`;
  if (e instanceof WorkerCrash) return `Rover failed to start: a worker crashed: ${e.message}`;
  return `Rover failed to start: ${e instanceof Error ? e.message : String(e)}`;
}
