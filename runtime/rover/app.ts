// RoverApp: a booted server app. Holds the validated config, the routes and their handlers
// (fixed at boot), and runs one handler synchronously per request. handle() never throws:
// uncaught 4xx error objects become their status, anything else a generic 500 whose Lua
// chunk:line and message go to the log, never to the client.
import type { LuaFunction, LuaValue } from "../lua/value.ts";
import { first } from "../lua/multi.ts";
import { LuaError, errorValue } from "../lua/errors.ts";
import { errorLuaFrames } from "../lua/callsites.ts";
import { tostring, rawToString } from "../lua/tostring.ts";
import { ExitSignal } from "../lua/stdlib/base.ts";
import type { RoverConfig } from "./config.ts";
import type { RouteSpec, RouteTable, MiddlewareChain } from "./route-tree.ts";
import { LuaTable } from "../lua/table.ts";
import { RoverResponse } from "./response.ts";
import { guardIssues, guardErrorText } from "./guard-error.ts";
import { httpErrorInfo } from "./http-error.ts";
import type { RequestInput } from "./request.ts";
import { RequestContext } from "./context.ts";
import { replyFromValue, replyFromHttpError, ReplyError, INTERNAL_ERROR } from "./reply.ts";
import type { ResponseOutput } from "./reply.ts";
import { dropLogs } from "./log.ts";
import { streamReadable } from "./stream.ts";
import type { LogSink } from "./log.ts";

export class RoverApp {
  readonly config: RoverConfig;
  readonly routes: readonly RouteSpec[];
  /** Startup warnings about the route table, to print once. */
  readonly warnings: readonly string[];
  /** The main chunk's name ("app.lua"), for messages. */
  readonly name: string;
  private readonly handlers: readonly LuaFunction[];
  private readonly chains: readonly MiddlewareChain[];
  private readonly onError: LuaFunction | undefined;
  private log: LogSink;

  constructor(config: RoverConfig, table: RouteTable, name: string, log: LogSink | undefined) {
    this.config = config;
    this.routes = table.routes;
    this.warnings = table.warnings;
    this.handlers = table.handlers;
    this.chains = table.chains;
    this.onError = table.onError;
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
    const ctx = new RequestContext(request, route.params);
    const chain = this.chains[routeId];
    // Before middleware outer scope first; the first non-nil return ends the chain and is the
    // response (handler and after skipped).
    let result: LuaValue;
    let early = false;
    try {
      const before = chain.before;
      for (let i = 0; i < before.length && !early; i++) {
        result = first(before[i](ctx));
        early = result !== undefined;
      }
      if (!early) result = first(this.handlers[routeId](ctx));
    } catch (e) {
      return this.handleError(route, ctx, e);
    }
    let out: ResponseOutput;
    try {
      out = replyFromValue(result);
    } catch (e) {
      return this.fail(route, e);
    }
    // After middleware runs once the response is decided, so it cannot change it (§6.2).
    if (chain.after.length > 0 && !early) {
      try {
        const after = chain.after;
        for (let i = 0; i < after.length; i++) after[i](ctx);
      } catch (e) {
        return this.handleError(route, ctx, e);
      }
    }
    if (out.stream !== undefined) out.body = streamReadable(out.stream, this.streamLog(route));
    return out;
  }

  /** api.on_error first (§3.7), then guard errors → 400, 4xx error objects, anything else a logged 500. */
  private handleError(route: RouteSpec, ctx: RequestContext, e: unknown): ResponseOutput {
    if (this.onError !== undefined && !(e instanceof ExitSignal)) {
      const custom = this.callOnError(route, ctx, e);
      if (custom !== undefined) return custom;
    }
    return replyFromHttpError(e) ?? this.fail(route, e);
  }

  private callOnError(route: RouteSpec, ctx: RequestContext, e: unknown): ResponseOutput | undefined {
    const info = errorInfo(e, ctx.input.path);
    let r: LuaValue;
    try {
      r = first(this.onError!(info));
    } catch (inner) {
      this.fail(route, inner);
      return undefined;
    }
    if (!(r instanceof RoverResponse)) return undefined;
    try {
      return replyFromValue(r);
    } catch {
      return undefined;
    }
  }

  private streamLog(route: RouteSpec): (message: string) => void {
    const routeName = route.method + " " + route.pattern;
    return (message) => {
      try {
        this.log("warn", message, { route: routeName });
      } catch {
        // ignore a broken logger
      }
    };
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

/** The table handed to api.on_error: message, path, a guessed status and a code (§3.7). */
function errorInfo(e: unknown, path: string): LuaTable {
  const t = new LuaTable();
  const issues = e instanceof LuaError ? guardIssues(e.value) : undefined;
  const http = e instanceof LuaError ? httpErrorInfo(e.value) : undefined;
  const message =
    issues !== undefined ? guardErrorText(issues) : http !== undefined ? http.message : describe(e).message;
  t.setStr("message", message);
  t.setStr("path", path);
  t.setStr("status", issues !== undefined ? 400 : http !== undefined ? http.status : 500);
  t.setStr(
    "code",
    issues !== undefined ? "VALIDATION_ERROR" : http !== undefined ? "REQUEST_ERROR" : "ERROR",
  );
  return t;
}

/** The message of anything a handler can throw, and the Lua "chunk:line" where it was raised. */
function describe(e: unknown): { message: string; where: string } {
  if (e instanceof ReplyError) return { message: "handler " + e.message, where: "" };
  if (e instanceof ExitSignal)
    return { message: "os.exit(" + e.code + ") called in a handler", where: e.where };
  if (!(e instanceof Error)) return { message: String(e), where: "" };
  // A Lua error value, or what pcall would have returned for a JS error (stack overflow).
  const value = e instanceof LuaError ? e.value : errorValue(e);
  if (typeof value !== "string") return { message: render(value), where: frameOf(e) };
  // "chunk:line: message"; a chunk name may hold spaces, not ": " ("Template rendering failed: ...").
  const prefix = /^((?:(?!: ).)+?:\d+): /.exec(value);
  return { message: value, where: prefix !== null ? prefix[1] : frameOf(e) };
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
