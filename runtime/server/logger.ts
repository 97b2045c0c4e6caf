// The pino logger of one worker and its adapter to the Lua side's LogSink. Writes NDJSON to
// stdout synchronously (sonic-boom on fd 1), so a line logged just before a crash is not lost.
// No per-request lines: they cost throughput; errors and startup are logged.
import { pino } from "pino";
import type { Logger } from "pino";
import type { LogSink, LogLevel } from "../rover/boot.ts";

export function createLogger(level: LogLevel, worker: number | null): Logger {
  return pino(
    { level, base: worker === null ? { pid: process.pid } : { pid: process.pid, worker } },
    pino.destination({ dest: 1, sync: true }),
  );
}

/** Messages from Lua (error texts, chunk names) are byte strings: decode them as UTF-8 for the log. */
export function logSink(logger: Logger): LogSink {
  return (level, message, fields) => {
    const text: Record<string, string> = {};
    for (const k in fields) text[k] = fromBytes(fields[k]);
    logger[level](text, fromBytes(message));
  };
}

export function fromBytes(s: string): string {
  return /[\x80-\xff]/.test(s) ? Buffer.from(s, "latin1").toString("utf8") : s;
}
