// Runs a built app's main chunk in a worker thread with a large stack, so deep Lua
// recursion (1,000,000 tail calls, say) works and runaway recursion becomes a catchable
// Lua "stack overflow" instead of killing the process. Reports to the parent what the
// chunk turned out to be: a plain script (with its exit status) or a server.
import { parentPort, workerData } from "node:worker_threads";
import { pathToFileURL } from "node:url";
import { ByteWriter } from "./output.ts";

export interface ScriptJob {
  appPath: string;
  script: string;
  args: string[];
  /** Collect stdout/stderr and return them in the outcome instead of writing them (tests). */
  capture?: boolean;
}

export type ScriptOutcome = ({ kind: "script"; code: number } | { kind: "server" } | { kind: "error" }) & {
  stdout?: string;
  stderr?: string;
};

/** Collects bytes instead of writing them. */
class Collector {
  text = "";
  readonly write = (bytes: string): void => {
    this.text += bytes;
  };
  flush(): void {}
}

const job = workerData as ScriptJob;
const out = job.capture ? new Collector() : new ByteWriter(1);
const err = job.capture ? new Collector() : new ByteWriter(2);
const app = await import(pathToFileURL(job.appPath).href);
let outcome: ScriptOutcome;
try {
  const r = app.boot({
    write: out.write,
    writeError: err.write,
    // Command-line text becomes Lua strings, which are the UTF-8 bytes (as luajit sees argv).
    argv: { script: toBytes(job.script), args: job.args.map(toBytes) },
  });
  outcome =
    r.kind === "server" ? { kind: "server" } : { kind: "script", code: r.kind === "exit" ? r.code : 0 };
} catch (e) {
  out.flush();
  // A route tree or config error is not a Lua error: no traceback, the words `rover start` uses.
  if (e instanceof Error && e.name === "RoverError") err.write(`Rover failed to start: ${e.message}\n`);
  // describeError returns Lua text, already bytes (a latin1 string).
  else err.write("rover: " + app.describeError(e));
  outcome = { kind: "error" };
}
out.flush();
err.flush();
if (out instanceof Collector && err instanceof Collector) {
  outcome.stdout = out.text;
  outcome.stderr = err.text;
}
parentPort!.postMessage(outcome);

function toBytes(text: string): string {
  return Buffer.from(text, "utf8").toString("latin1");
}
