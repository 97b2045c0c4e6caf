// `rover dev app.lua [--port N] [--host H] [--workers N]`: the developer loop. Builds, serves
// (one worker by default) and watches the app; every saved change is rebuilt and swapped in
// without dropping a request (cli/dev/). Resolves with the exit code once SIGINT/SIGTERM
// stopped it (0), or when it cannot start at all (1).
import { writeFdSync } from "../../runtime/server/output.ts";
import { DevSession } from "../dev/session.ts";
import { useColor } from "../report.ts";

export interface DevFlags {
  port?: number;
  host?: string;
  workers?: number;
}

export async function dev(entry: string, flags: DevFlags): Promise<number> {
  const workers = flags.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1) {
    process.stderr.write(`rover dev: --workers must be a positive integer, got ${workers}\n`);
    return 1;
  }
  const session = new DevSession(entry, {
    workers,
    flags: { port: flags.port, host: flags.host },
    env: process.env,
    cwd: process.cwd(),
    out: (line) => writeFdSync(1, line + "\n"),
    err: (text) => writeFdSync(2, text + "\n"),
    color: useColor(process.stderr),
  });
  let settle: (code: number) => void = () => {};
  const finished = new Promise<number>((resolve) => (settle = resolve));
  let stopping = false;
  const onSignal = (): void => {
    // A second Ctrl-C while draining does not wait any longer.
    if (stopping) {
      session.kill();
      return settle(0);
    }
    stopping = true;
    void session.stop().then(() => settle(0));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const fatal = await session.start();
  if (fatal !== null && !stopping) {
    stopping = true;
    await session.stop();
    settle(fatal);
  }
  const code = await finished;
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
  return code;
}
