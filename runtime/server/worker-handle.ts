// The main thread's view of one worker thread: its messages as an awaitable queue, and its
// death (an uncaught error, or an exit nobody asked for) as a rejection of whoever waits, or
// a call to onCrash once the server runs.
import { Worker } from "node:worker_threads";
import { SCRIPT_STACK_MB } from "./stack.ts";
import type { WorkerData, WorkerMessage, MainMessage } from "./protocol.ts";

const WORKER_URL = new URL("./worker.ts", import.meta.url);
// Workers inherit the parent's Node flags; --input-type (valid only for -e/stdin) breaks them.
const EXEC_ARGV = process.execArgv.filter((a) => !a.startsWith("--input-type"));

export class WorkerCrash extends Error {}

export interface WorkerHandleOptions {
  /** The worker's entry module; default ./worker.ts (rover dev uses cli/dev/dev-worker.ts). */
  url?: URL;
  /** The thread's process.env; default a copy of the main thread's. */
  env?: Record<string, string | undefined>;
}

export class WorkerHandle {
  readonly index: number;
  readonly worker: Worker;
  /** Set once close() or terminate() was asked: the exit that follows is expected. */
  stopping = false;
  exited = false;
  /** Called when the worker dies unexpectedly after start-up waits are over. */
  onCrash: ((handle: WorkerHandle, reason: string) => void) | null = null;
  private readonly queue: WorkerMessage[] = [];
  private waiter: { resolve: (m: WorkerMessage) => void; reject: (e: Error) => void } | null = null;
  private crash: string | null = null;
  private readonly exitPromise: Promise<number>;

  constructor(data: WorkerData, options: WorkerHandleOptions = {}) {
    this.index = data.index;
    // A large stack, as for `rover run` scripts: deep Lua recursion works and runaway
    // recursion is a catchable "stack overflow" inside the handler.
    this.worker = new Worker(options.url ?? WORKER_URL, {
      workerData: data,
      execArgv: EXEC_ARGV,
      env: options.env ?? process.env,
      resourceLimits: { stackSizeMb: SCRIPT_STACK_MB },
    });
    this.worker.on("message", (m: WorkerMessage) => this.receive(m));
    this.worker.on("error", (e: Error) => this.die(e.stack ?? e.message));
    this.exitPromise = new Promise((resolve) => {
      this.worker.on("exit", (code) => {
        this.exited = true;
        if (!this.stopping) this.die(`exited unexpectedly with code ${code}`);
        resolve(code);
      });
    });
  }

  send(message: MainMessage): void {
    this.worker.postMessage(message);
  }

  /** The next message from the worker; rejects with WorkerCrash if it dies first. */
  next(): Promise<WorkerMessage> {
    const m = this.queue.shift();
    if (m !== undefined) return Promise.resolve(m);
    if (this.crash !== null) return Promise.reject(new WorkerCrash(this.crash));
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  /** Resolves with the exit code once the thread has ended. */
  exit(): Promise<number> {
    return this.exitPromise;
  }

  /**
   * Asks for a graceful close (in-flight requests finish); terminates after `timeoutMs`.
   * `how` is "drain" for a worker of rover dev being replaced (see protocol.ts).
   */
  async close(timeoutMs: number, how: "close" | "drain" = "close"): Promise<void> {
    if (this.exited) return;
    this.stopping = true;
    this.send({ type: how });
    const timer = setTimeout(() => void this.worker.terminate(), timeoutMs);
    await this.exitPromise;
    clearTimeout(timer);
  }

  async terminate(): Promise<void> {
    this.stopping = true;
    if (!this.exited) await this.worker.terminate();
  }

  private receive(m: WorkerMessage): void {
    const w = this.waiter;
    if (w !== null) {
      this.waiter = null;
      w.resolve(m);
    } else {
      this.queue.push(m);
    }
  }

  private die(reason: string): void {
    if (this.crash !== null) return;
    this.crash = reason;
    const w = this.waiter;
    if (w !== null) {
      this.waiter = null;
      w.reject(new WorkerCrash(reason));
    } else if (this.onCrash !== null) {
      this.onCrash(this, reason);
    }
  }
}
