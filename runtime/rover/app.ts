// RoverApp: a booted server app. Holds the validated config, the routes and their handlers
// (fixed at boot), and runs one handler synchronously per request. handle() never throws:
// uncaught 4xx error objects become their status, anything else a generic 500 whose Lua
// chunk:line and message go to the log, never to the client.
import type { LuaFunction, LuaValue } from "../lua/value.ts";
import { first } from "../lua/multi.ts";
import { LuaError } from "../lua/errors.ts";
import { errorLuaFrames } from "../lua/callsites.ts";
import { tostring, rawToString } from "../lua/tostring.ts";
import { ExitSignal } from "../lua/stdlib/base.ts";
import type { RoverConfig } from "./config.ts";
import type { RouteSpec, RouteTable } from "./route-tree.ts";
import type { RequestInput } from "./request.ts";
import { RequestContext } from "./context.ts";
import { replyFromValue, replyFromHttpError, ReplyError, INTERNAL_ERROR } from "./reply.ts";
import type { ResponseOutput } from "./reply.ts";
import { dropLogs } from "./log.ts";
import type { LogSink } from "./log.ts";

export class RoverApp {
  readonly config: RoverConfig;
  readonly routes: readonly RouteSpec[];
  /** The main chunk's name ("app.lua"), for messages. */
  readonly name: string;
  private readonly handlers: readonly LuaFunction[];
  private log: LogSink;

  constructor(config: RoverConfig, table: RouteTable, name: string, log: LogSink | undefined) {
    this.config = config;
    this.routes = table.routes;
    this.handlers = table.handlers;
    this.name = name;
    this.log = log ?? dropLogs;
  }

  /** Replaces the log callback (the server creates its logger after reading config.logLevel). */
  setLog(log: LogSink): void {
    this.log = log;
  }

  /** Runs the handler of route `routeId` for one request. Never throws. */
  handle(routeId: number, request: RequestInput): ResponseOutput {
    const route = this.routes[routeId];
    let result: LuaValue;
    try {
      result = first(this.handlers[routeId](new RequestContext(request, route.params)));
    } catch (e) {
      return replyFromHttpError(e) ?? this.fail(route, e);
    }
    try {
      return replyFromValue(result);
    } catch (e) {
      return this.fail(route, e);
    }
  }

  private fail(route: RouteSpec, e: unknown): ResponseOutput {
    const routeName = route.method + " " + route.pattern;
    const { message, where } = describe(e);
    const fields: Record<string, string> = { route: routeName, error: message };
    if (where !== "") fields.where = where;
    try {
      this.log("error", "Handler error in " + routeName + ": " + message, fields);
    } catch {
      // A broken logger must not turn a 500 into a crash of the worker.
    }
    return INTERNAL_ERROR;
  }
}

/** The message of anything a handler can throw, and the Lua "chunk:line" where it was raised. */
function describe(e: unknown): { message: string; where: string } {
  if (e instanceof LuaError) {
    const message = typeof e.value === "string" ? e.value : render(e.value);
    const prefix = typeof e.value === "string" ? /^(.*?:\d+): /.exec(e.value) : null;
    return { message, where: prefix !== null ? prefix[1] : frameOf(e) };
  }
  if (e instanceof ReplyError) return { message: "handler " + e.message, where: "" };
  if (e instanceof ExitSignal) return { message: "os.exit(" + e.code + ") called in a handler", where: "" };
  if (e instanceof Error) return { message: e.message, where: frameOf(e) };
  return { message: String(e), where: "" };
}

function frameOf(e: Error): string {
  const f = errorLuaFrames(e)[0];
  return f === undefined ? "" : f.chunk + ":" + f.line;
}

/** tostring with its __tostring metamethod, falling back to the raw form if that raises. */
function render(v: LuaValue): string {
  try {
    return tostring(v);
  } catch {
    return rawToString(v);
  }
}
