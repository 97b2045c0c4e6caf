// The logging callback the Lua side reports through. The server side plugs pino in
// (runtime/server/logger.ts); the default drops everything so the bundle needs no logger.

export type LogLevelName = "debug" | "info" | "warn" | "error";

/** `fields` is a flat record (route, where, error) that a structured logger can print as is. */
export type LogSink = (level: LogLevelName, message: string, fields: Record<string, string>) => void;

export const dropLogs: LogSink = () => {};
