// api.idempotent([opts,] handler) (ROVER_API.md §3.10): wraps a handler so that a request
// repeating an Idempotency-Key gets the first response again instead of running the handler
// twice. The wrapper is made while the main chunk runs, before the server config is read,
// so it finds its store through its api table: boot.ts binds the configured store there.
import { createHash } from "node:crypto";
import { LuaTable } from "../lua/table.ts";
import type { LuaValue, LuaFunction } from "../lua/value.ts";
import { first } from "../lua/multi.ts";
import { throwLuaError } from "../lua/errors.ts";
import { argError } from "../lua/args.ts";
import { tostring } from "../lua/tostring.ts";
import { type } from "../lua/ops.ts";
import { RoverResponse, JSON_HEADERS } from "./response.ts";
import { replyFromValue, ReplyError } from "./reply.ts";
import { RequestContext } from "./context.ts";
import { headerValue } from "./request.ts";
import { errorBodyBytes } from "./error-body.ts";
import { openStore, MemoryStore } from "./idempotency-store.ts";
import type { IdempotencyStore } from "./idempotency-store.ts";
import type { IdempotencyConfig } from "./config.ts";

const DEFAULT_HEADER = "idempotency-key";
const DEFAULT_TTL_MS = 300_000;

/** The store of one api table, and the identity the next wrapper made on it gets. */
interface Host {
  store: IdempotencyStore | undefined;
  nextId: number;
}

const hosts = new WeakMap<LuaTable, Host>();

/** Binds the store `config` names to the wrappers of `api` (boot.ts, once the config is read). */
export function bindIdempotencyStore(api: LuaTable, config: IdempotencyConfig): void {
  hostOf(api).store = openStore(config);
}

function hostOf(api: LuaTable): Host {
  let host = hosts.get(api);
  if (host === undefined) hosts.set(api, (host = { store: undefined, nextId: 1 }));
  return host;
}

const USAGE = "api.idempotent() expects (handler) or (config, handler)";

/** The api.idempotent function of `api`; api:idempotent(...) drops the api table. */
export function idempotentBuilder(api: LuaTable): LuaFunction {
  const host = hostOf(api);
  return function idempotent(...args: LuaValue[]): LuaValue {
    if (args[0] === api) args.shift();
    // A trailing nil is no argument (Lua cannot tell f(x) from f(x, nil) either).
    while (args.length > 0 && args[args.length - 1] === undefined) args.pop();
    const [a, b] = args;
    let opts: LuaTable | undefined;
    let handler: LuaFunction;
    if (args.length === 1 && typeof a === "function") handler = a;
    else if (args.length === 2 && a instanceof LuaTable && typeof b === "function") {
      opts = a;
      handler = b;
    } else return throwLuaError(USAGE);
    const { header, ttlMs } = readOptions(opts);
    // Identity = creation order on this api: the same in every worker (each runs the same
    // main chunk), which is what lets workers share a SQLite store.
    return wrap(host, String(host.nextId++), handler, header, ttlMs);
  };
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function readOptions(opts: LuaTable | undefined): { header: string; ttlMs: number } {
  let header = DEFAULT_HEADER;
  let ttlMs = DEFAULT_TTL_MS;
  if (opts === undefined) return { header, ttlMs };
  for (let e = opts.next(undefined); e !== undefined; e = opts.next(e[0])) {
    const [k, v] = e;
    if (k === "header") {
      if (typeof v !== "string" || !TOKEN.test(v)) optionError("header", "must be a header name string", v);
      header = v.toLowerCase();
    } else if (k === "ttl_ms") {
      if (typeof v !== "number" || !(v > 0) || v === Infinity)
        optionError("ttl_ms", "must be a positive number of milliseconds", v);
      ttlMs = Math.ceil(v);
    } else {
      throwLuaError("api.idempotent(): unknown option " + show(k) + " (valid options: header, ttl_ms)");
    }
  }
  return { header, ttlMs };
}

function optionError(name: string, rule: string, v: LuaValue): never {
  return throwLuaError("api.idempotent(): option '" + name + "' " + rule + ", got " + show(v));
}

function show(v: LuaValue): string {
  if (typeof v === "string") return "'" + v + "'";
  return typeof v === "number" ? tostring(v) : type(v);
}

const CONFLICT = new RoverResponse(
  409,
  JSON_HEADERS,
  errorBodyBytes("Idempotency key already used with different payload"),
);

function wrap(host: Host, id: string, handler: LuaFunction, header: string, ttlMs: number): LuaFunction {
  return function idempotent_handler(ctx: LuaValue): unknown {
    if (!(ctx instanceof RequestContext)) argError(1, "idempotent handler", "request ctx expected");
    const input = ctx.input;
    const key = trimKey(headerValue(input.rawHeaders, header));
    if (key === "") return checkNotStream(first(handler(ctx)));
    const store = host.store ?? (host.store = new MemoryStore());
    const storeKey = id + ":" + key;
    const fingerprint = createHash("sha256")
      .update(input.method)
      .update("\0" + id + "\0")
      .update(input.body ?? "")
      .digest("base64");
    const stored = store.get(storeKey, Date.now());
    if (stored !== undefined) return stored.fingerprint === fingerprint ? stored.response : CONFLICT;
    // An error raised here propagates before anything is stored: a retry runs the handler again.
    const response = storable(checkNotStream(first(handler(ctx))));
    // Time taken after the handler: a slow handler does not shorten the replay window.
    const now = Date.now();
    store.put(storeKey, { fingerprint, response }, Math.min(now + ttlMs, Number.MAX_SAFE_INTEGER), now);
    return response;
  };
}

/** The header's value without surrounding blanks; "" when absent. */
function trimKey(v: string | undefined): string {
  return v === undefined ? "" : v.replace(/^[ \t]+|[ \t]+$/g, "");
}

/** A stream cannot be replayed, so it is refused with or without a key (never works by luck). */
function checkNotStream(v: unknown): unknown {
  if (v instanceof RoverResponse && v.stream !== null)
    throwLuaError("api.idempotent(): a handler cannot return a stream or SSE response");
  return v;
}

/** The handler's result as the RoverResponse it will be sent as (§3.2); unsendable → Lua error. */
function storable(v: unknown): RoverResponse {
  if (v instanceof RoverResponse) return v;
  let out;
  try {
    out = replyFromValue(v as LuaValue);
  } catch (e) {
    if (e instanceof ReplyError) throwLuaError("api.idempotent(): handler " + e.message);
    throw e;
  }
  const body = out.body as string | Buffer | null;
  const bytes = body === null || typeof body === "string" ? body : body.toString("latin1");
  return new RoverResponse(out.status, out.headers, bytes);
}
