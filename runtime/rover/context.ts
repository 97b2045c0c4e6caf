// ctx, the per-request table handed to a handler (ROVER_API.md §2). Built cheaply: one
// object whose fields and methods come from a shared metatable, and whose headers, query,
// params and body are decoded only when a method is called. ctx is a real table, so
// handlers may add their own fields (ctx.user = ...), as at upstream 7c946d6.
import { LuaTable } from "../lua/table.ts";
import type { LuaValue } from "../lua/value.ts";
import { argError, checkString } from "../lua/args.ts";
import type { RequestInput } from "./request.ts";
import { headerValue } from "./request.ts";
import { parseQuery, utf8Bytes } from "./decode.ts";
import { RequestBody } from "./body.ts";
import { raiseHttpError, NO_BODY } from "./http-error.ts";

export class RequestContext extends LuaTable {
  readonly input: RequestInput;
  /** Lua parameter names of the matched route, in the order of input.params. */
  readonly paramNames: string[];
  /** The body object, made on the first ctx:body() call. */
  bodyObject: RequestBody | undefined;
  /** ctx:set / ctx:get values, made on the first ctx:set. */
  state: Map<string, LuaValue> | undefined;
  /** ctx:request_id(), fixed on the first call. */
  requestId: string | undefined;
  constructor(input: RequestInput, paramNames: string[]) {
    super();
    this.input = input;
    this.paramNames = paramNames;
    this.bodyObject = undefined;
    this.state = undefined;
    this.requestId = undefined;
    this.metatable = CTX_META;
  }
}

const CTX_METHODS = new Map<LuaValue, LuaValue>();
const CTX_META = new LuaTable();
// A function __index rather than a table, so method and path need no per-request stores.
CTX_META.setStr("__index", function ctxIndex(ctx: LuaValue, key: LuaValue): LuaValue {
  if (ctx instanceof RequestContext) {
    if (key === "method") return ctx.input.method;
    if (key === "path") return ctx.input.path;
  }
  return CTX_METHODS.get(key);
});

function method(name: string, f: (ctx: RequestContext, a: LuaValue, b: LuaValue) => LuaValue): void {
  const wrapped = (self: LuaValue, a: LuaValue, b: LuaValue): LuaValue => {
    if (!(self instanceof RequestContext)) argError(1, name, "ctx expected (call it as ctx:" + name + "())");
    return f(self, a, b);
  };
  Object.defineProperty(wrapped, "name", { value: name });
  CTX_METHODS.set(name, wrapped);
}

/** Lower-case names (as 7c946d6 and Node do); a repeated header keeps its last value. A new table per call. */
method("headers", (ctx) => {
  const raw = ctx.input.rawHeaders;
  const t = new LuaTable();
  for (let i = 0; i < raw.length; i += 2) t.setStr(raw[i].toLowerCase(), raw[i + 1]);
  return t;
});

method("query", (ctx) => parseQuery(ctx.input.query));

method("params", (ctx) => {
  const t = new LuaTable();
  const names = ctx.paramNames;
  const values = ctx.input.params;
  for (let i = 0; i < names.length; i++) t.setStr(names[i], utf8Bytes(values[i]));
  return t;
});

/** Raises a 400 error object when there is no body (absent or zero bytes), as upstream does. */
method("body", (ctx) => {
  if (ctx.bodyObject !== undefined) return ctx.bodyObject;
  const bytes = ctx.input.body;
  if (bytes === null || bytes.length === 0)
    raiseHttpError(NO_BODY.status, NO_BODY.code, "Request has no body");
  return (ctx.bodyObject = new RequestBody(bytes, headerValue(ctx.input.rawHeaders, "content-type")));
});

/** Request-scoped values shared between middleware and the handler (any Lua value, string keys). */
method("set", (ctx, key, value) => {
  const k = checkString(key, 1, "set");
  if (ctx.state === undefined) ctx.state = new Map();
  ctx.state.set(k, value);
  return undefined;
});

method("get", (ctx, key) => ctx.state?.get(checkString(key, 1, "get")));

/** X-Request-ID when it is 1-256 bytes, else a generated base62 id; the same for the whole request. */
method("request_id", (ctx) => {
  if (ctx.requestId !== undefined) return ctx.requestId;
  const given = headerValue(ctx.input.rawHeaders, "x-request-id");
  return (ctx.requestId =
    given !== undefined && given.length >= 1 && given.length <= 256 ? given : newRequestId());
});

/** Upstream's no-op (middleware chaining is automatic). */
method("next", () => undefined);

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
let idCounter = 0;

/** base62 of (unix_millis << 20) | (counter & 0xFFFFF), as upstream. */
export function newRequestId(): string {
  let n = (BigInt(Date.now()) << 20n) | BigInt(idCounter++ & 0xfffff);
  let out = "";
  do {
    out = BASE62[Number(n % 62n)] + out;
    n /= 62n;
  } while (n > 0n);
  return out;
}
