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

export function logSink(logger: Logger): LogSink {
  return (level, message, fields) => logger[level](fields, message);
}
