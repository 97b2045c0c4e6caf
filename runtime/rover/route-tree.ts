// Reads the api table returned by the main chunk into routes (ROVER_API.md §1.2-1.5), once
// at boot. Walks in insertion order, so routes keep declaration order. Route paths use
// positional parameter names (:p0, :p1, ...) because Lua parameter names may contain any
// character while the router ends a name at '-', '.' or '('; RouteSpec.params maps them back.
import { LuaTable } from "../lua/table.ts";
import type { LuaValue, LuaFunction } from "../lua/value.ts";
import { type } from "../lua/ops.ts";
import { numberToString } from "../lua/number.ts";
import {
  METHOD_NAMES,
  unknownMethod,
  emptyParamName,
  invalidRouteEntry,
  duplicateRoute,
  conflictingRoutes,
  routeCycle,
  unroutableSegment,
  duplicateParamName,
  UNROUTABLE_CHARS,
  invalidMiddleware,
} from "./errors.ts";
import { BUILDER_NAMES } from "./responses.ts";

export type HttpMethod = "GET" | "HEAD" | "OPTIONS" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface RouteSpec {
  /** Index into the app's handlers; what RoverApp.handle takes. */
  id: number;
  method: HttpMethod;
  /** Router path: "/users/:p0/posts". Static segments are UTF-8 decoded, ':' escaped as '::'. */
  path: string;
  /** Lua parameter names in path order: ["id"] for p_id. */
  params: string[];
  /** Upstream's display form for messages and logs: "/users/{id}". */
  pattern: string;
}

export interface RouteTable {
  routes: RouteSpec[];
  handlers: LuaFunction[];
  /** Per route (same index): its middleware chain, fixed at boot (ROVER_API.md §6). */
  chains: MiddlewareChain[];
  /** api.on_error, when the root defines it (§3.7). */
  onError: LuaFunction | undefined;
  /** Startup warnings: handlers that can never be served (see builderRoutes). */
  warnings: string[];
}

/** `before` runs outer scope first; `after` is stored in run order: innermost first, root last. */
export interface MiddlewareChain {
  before: LuaFunction[];
  after: LuaFunction[];
}

const NO_CHAIN: MiddlewareChain = Object.freeze({ before: [], after: [] }) as MiddlewareChain;

const METHODS = new Map<string, HttpMethod>(METHOD_NAMES.map((m) => [m, m.toUpperCase() as HttpMethod]));
const ROOT_SKIP = new Set<string>(BUILDER_NAMES);

interface Walk {
  out: RouteTable;
  /** "GET /users/:p0" → pattern of the route that took it, to report duplicates. */
  seen: Map<string, string>;
  /** Tables on the current path: a table containing itself would recurse forever. */
  ancestors: Set<LuaTable>;
}

export function readRouteTree(api: LuaTable): RouteTable {
  const walk: Walk = {
    out: { routes: [], handlers: [], chains: [], onError: undefined, warnings: builderRoutes(api) },
    seen: new Map(),
    ancestors: new Set(),
  };
  const onError = api.getStr("on_error");
  if (onError !== undefined) {
    if (typeof onError !== "function") throw invalidMiddleware("on_error", "/", "a function");
    walk.out.onError = onError;
  }
  visit(walk, api, "", "", [], true, NO_CHAIN);
  return walk.out;
}

/** `display` is upstream's form ("/users/{id}"), `path` the router's ("/users/:p0"). */
/**
 * `function api.json.get()` stores `get` in the json builder, not in a route table: builder
 * names are reserved on the root (SPEC.md §5), so such a handler is never served. Said at
 * startup, as rover check says it, rather than left to a puzzling 404.
 */
function builderRoutes(api: LuaTable): string[] {
  const out: string[] = [];
  for (const name of ROOT_SKIP) {
    const t = api.getStr(name);
    if (!(t instanceof LuaTable) || name === "config") continue;
    t.forEach((key, value) => {
      if (typeof key === "string" && typeof value === "function" && METHODS.has(key.toLowerCase()))
        out.push(
          `api.${name}.${key} is never served: '${name}' is a response builder on the root api table ` +
            `(routes under it need another name, such as api.v1.${name}.${key})`,
        );
    });
  }
  return out;
}

function visit(
  walk: Walk,
  table: LuaTable,
  display: string,
  path: string,
  params: string[],
  root: boolean,
  outer: MiddlewareChain,
): void {
  if (walk.ancestors.has(table)) throw routeCycle(display || "/");
  walk.ancestors.add(table);
  const chain = extendChain(outer, table, display || "/");
  for (let e = table.next(undefined); e !== undefined; e = table.next(e[0])) {
    const [key, value] = e;
    if (typeof key === "string") {
      if (key.startsWith("__rover_") || (root && ROOT_SKIP.has(key))) continue;
      if (key === "before" || key === "after" || (root && key === "on_error")) continue;
      if (typeof value === "function") {
        addRoute(walk, key, value, display, path, params, chain);
        continue;
      }
      if (value instanceof LuaTable) {
        if (key.startsWith("p_")) {
          const name = key.slice(2);
          if (name === "") throw emptyParamName(display);
          if (params.includes(name)) throw duplicateParamName(name, display + "/{" + name + "}");
          const next = params.concat(name);
          visit(walk, value, display + "/{" + name + "}", path + "/:p" + params.length, next, false, chain);
        } else {
          if (UNROUTABLE_CHARS.test(key)) throw unroutableSegment(key, display || "/");
          visit(walk, value, display + "/" + key, path + "/" + routerSegment(key), params, false, chain);
        }
        continue;
      }
    }
    throw invalidRouteEntry(display || "/", debugValue(key), debugValue(value));
  }
  walk.ancestors.delete(table);
}

function addRoute(
  walk: Walk,
  key: string,
  handler: LuaFunction,
  display: string,
  path: string,
  params: string[],
  chain: MiddlewareChain,
): void {
  const method = METHODS.get(key.toLowerCase());
  const pattern = display || "/";
  if (method === undefined) throw unknownMethod(key, pattern);
  const routerPath = path || "/";
  const id = method + " " + routerPath;
  const earlier = walk.seen.get(id);
  if (earlier !== undefined) {
    throw earlier === pattern ? duplicateRoute(method, pattern) : conflictingRoutes(method, earlier, pattern);
  }
  walk.seen.set(id, pattern);
  const routes = walk.out.routes;
  routes.push({ id: routes.length, method, path: routerPath, params, pattern });
  walk.out.handlers.push(handler);
  walk.out.chains.push(chain);
}

/**
 * The chain of a scope: the outer chain plus this table's `before` / `after`, each a function
 * or a table of functions run in declaration order. A scope without middleware shares the
 * outer chain object.
 */
function extendChain(outer: MiddlewareChain, table: LuaTable, path: string): MiddlewareChain {
  const before = middlewareList(table.getStr("before"), "before", path);
  const after = middlewareList(table.getStr("after"), "after", path);
  if (before.length === 0 && after.length === 0) return outer;
  return { before: outer.before.concat(before), after: after.concat(outer.after) };
}

function middlewareList(v: LuaValue, key: string, path: string): LuaFunction[] {
  if (v === undefined) return [];
  if (typeof v === "function") return [v];
  if (!(v instanceof LuaTable)) throw invalidMiddleware(key, path, "a function or a table of functions");
  const out: LuaFunction[] = [];
  for (let e = v.next(undefined); e !== undefined; e = v.next(e[0])) {
    if (typeof e[1] !== "function")
      throw invalidMiddleware(key + "." + debugValue(e[0]).replaceAll('"', ""), path, "a function");
    out.push(e[1]);
  }
  return out;
}

/** A Lua key (bytes) as the router sees a decoded path segment: UTF-8 text, ':' doubled. */
function routerSegment(key: string): string {
  let s = key;
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 0x7f) {
      s = Buffer.from(key, "latin1").toString("utf8");
      break;
    }
  }
  return s.replaceAll(":", "::");
}

function debugValue(v: LuaValue): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number") return numberToString(v);
  if (typeof v === "boolean" || v === undefined) return String(v ?? "nil");
  return type(v);
}
