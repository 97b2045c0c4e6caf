// The static route tree: a small abstract evaluation of the top level of the app (and of the
// functions and modules it calls or requires there) that rebuilds the table returned by
// `rover.server{...}`, then reads it the way runtime/rover/route-tree.ts does at boot
// (ROVER_API.md §1.2-1.5). Takes resolved chunks, returns the routes and the diagnostics.
import type * as L from "../lua-ast.ts";
import type { SourceFile } from "../source.ts";
import type { Binding, Resolution } from "./globals.ts";
import {
  BUILDER_NAMES,
  METHOD_KEYS,
  siteOf,
  duplicateRoute,
  emptyParamName,
  invalidRouteEntry,
  paramNameConflict,
  reservedRouteName,
  routeTableReplaced,
  unknownMethod,
  unroutableSegment,
  duplicateParamName,
  type CheckDiagnostic,
  type Site,
} from "./check-messages.ts";
import { UNROUTABLE_CHARS } from "../../runtime/rover/errors.ts";

/** One parsed Lua file with its scopes. `name` is the require name ("" for the entry). */
export interface Unit {
  name: string;
  file: SourceFile;
  chunk: L.Chunk;
  scopes: Resolution;
}

export interface StaticRoute {
  /** "GET" ... */
  method: string;
  /** "/users/:id" */
  path: string;
  params: string[];
  /** Where the method key is declared. */
  site: Site;
}

export interface RouteAnalysis {
  /** False when the entry builds no rover.server table. */
  serverFound: boolean;
  routes: StaticRoute[];
  diagnostics: CheckDiagnostic[];
}

// ---------------------------------------------------------------- abstract values

interface TableNode {
  /** Auto-vivifying namespace (the api table and tables created by reading it). */
  autovivify: boolean;
  /** The api table itself: builder keys are skipped only here. */
  root: boolean;
  /** String keys in insertion order (a Lua table keeps its slot when a key is reassigned). */
  entries: Map<string, Entry>;
  /** Entries under non-string keys (`{ 1, [2] = x }`): always a startup error in a route table. */
  others: Entry[];
  /** Assignments that replaced an earlier value of a key; reported if the node is a route table. */
  replaced: { old: Entry; next: Entry }[];
}

interface Entry {
  key: string;
  value: Value;
  site: Site;
}

type Value =
  | { kind: "table"; node: TableNode }
  | { kind: "literal"; debug: string }
  | { kind: "nil" }
  | { kind: "builtin"; name: string; site: Site }
  | { kind: "rover" }
  | { kind: "server-constructor" }
  /** `direct`: written as a function in the source, not returned by a call (a wrapper's result). */
  | { kind: "closure"; fn: L.FunctionDeclaration; unit: Unit; direct: boolean }
  | { kind: "unknown" };

const UNKNOWN: Value = { kind: "unknown" };
const NIL: Value = { kind: "nil" };
const METHODS = new Set<string>(METHOD_KEYS);
/** Nested calls followed while evaluating (a mount function calling another). */
const MAX_CALL_DEPTH = 8;

function newTable(autovivify: boolean, root = false): TableNode {
  return { autovivify, root, entries: new Map(), others: [], replaced: [] };
}

function isMethod(key: string): boolean {
  return METHODS.has(key.toLowerCase());
}

/** Could be a handler: a function, or a value we cannot see (e.g. `auth(handler)`). */
function routeish(v: Value): boolean {
  return v.kind === "closure" || v.kind === "unknown";
}

class Evaluator {
  private readonly env = new Map<Binding, Value>();
  private readonly globals = new Map<string, Value>();
  private readonly moduleValues = new Map<string, Value | "loading">();
  private readonly active = new Set<L.FunctionDeclaration>();
  private depth = 0;
  readonly servers: TableNode[] = [];
  readonly diagnostics: CheckDiagnostic[] = [];
  private readonly units: Map<string, Unit>;

  constructor(units: Unit[]) {
    this.units = new Map(units.map((u) => [u.name, u]));
  }

  /** Runs a block's statements in order; returns what a top-level `return` returns. */
  run(body: L.Statement[], unit: Unit): Value | null {
    for (const s of body) {
      switch (s.type) {
        case "LocalStatement": {
          const values = this.list(s.init, s.variables.length, unit);
          s.variables.forEach((v, i) => this.bind(v, values[i], unit));
          break;
        }
        case "AssignmentStatement": {
          const values = this.list(s.init, s.variables.length, unit);
          s.variables.forEach((v, i) => this.assign(v, values[i], unit));
          break;
        }
        case "FunctionDeclaration": {
          const fn: Value = { kind: "closure", fn: s, unit, direct: true };
          if (s.identifier === null) break;
          if (s.isLocal && s.identifier.type === "Identifier") this.bind(s.identifier, fn, unit);
          else this.assign(s.identifier, fn, unit);
          break;
        }
        case "CallStatement":
          this.evaluate(s.expression, unit);
          break;
        case "DoStatement": {
          const r = this.run(s.body, unit);
          if (r !== null) return r;
          break;
        }
        case "ReturnStatement":
          return s.arguments.length > 0 ? this.evaluate(s.arguments[0], unit) : NIL;
        default:
          // Conditional and repeated code is not followed: routes there depend on run-time values.
          break;
      }
    }
    return null;
  }

  /** Values for `n` targets: missing ones are nil, except after a trailing call (unknown). */
  private list(exprs: L.Expression[], n: number, unit: Unit): Value[] {
    const out = exprs.map((e) => this.evaluate(e, unit));
    const last = exprs[exprs.length - 1];
    const open =
      last !== undefined &&
      (last.type === "CallExpression" ||
        last.type === "StringCallExpression" ||
        last.type === "TableCallExpression" ||
        last.type === "VarargLiteral");
    while (out.length < n) out.push(open ? UNKNOWN : NIL);
    return out;
  }

  private bind(id: L.Identifier, v: Value, unit: Unit): void {
    const b = unit.scopes.bindingOf.get(id);
    if (b !== undefined) this.env.set(b, v);
  }

  private assign(target: L.Expression, v: Value, unit: Unit): void {
    if (target.type === "Identifier") {
      const b = unit.scopes.bindingOf.get(target);
      if (b !== undefined) this.env.set(b, v);
      else this.globals.set(target.name, v);
      return;
    }
    const key = staticKey(target);
    if (key === null) return;
    const base = this.evaluate((target as L.MemberExpression | L.IndexExpression).base, unit);
    const site = siteOf(unit.file, key.node);
    if (base.kind === "builtin") {
      // function api.config.get() writes into a helper, never into the route tree.
      if (v.kind === "closure" || v.kind === "table")
        this.diagnostics.push(reservedRouteName(base.name, base.site));
      return;
    }
    if (base.kind !== "table") return;
    if (typeof key.key !== "string") {
      if (v.kind !== "nil") base.node.others.push({ key: String(key.key), value: v, site });
      return;
    }
    this.setKey(base.node, key.key, v, site);
  }

  private setKey(node: TableNode, key: string, v: Value, site: Site): void {
    const old = node.entries.get(key);
    if (v.kind === "nil") {
      node.entries.delete(key);
      return;
    }
    if (node.root && BUILDER_NAMES.has(key) && v.kind === "table" && hasRoutes(v.node)) {
      this.diagnostics.push(reservedRouteName(key, site));
    }
    const next: Entry = { key, value: v, site };
    if (old !== undefined && old.value.kind !== "builtin") node.replaced.push({ old, next });
    node.entries.set(key, next);
  }

  evaluate(e: L.Expression, unit: Unit): Value {
    switch (e.type) {
      case "Identifier": {
        const b = unit.scopes.bindingOf.get(e);
        if (b !== undefined) return this.env.get(b) ?? UNKNOWN;
        if (e.name === "rover" && !this.globals.has("rover")) return { kind: "rover" };
        return this.globals.get(e.name) ?? UNKNOWN;
      }
      case "MemberExpression":
      case "IndexExpression": {
        const key = staticKey(e);
        const base = this.evaluate(e.base, unit);
        if (key === null || typeof key.key !== "string") return UNKNOWN;
        if (base.kind === "rover") return key.key === "server" ? { kind: "server-constructor" } : UNKNOWN;
        if (base.kind !== "table") return UNKNOWN;
        return this.child(base.node, key.key, siteOf(unit.file, key.node));
      }
      case "FunctionDeclaration":
        return { kind: "closure", fn: e, unit, direct: true };
      case "TableConstructorExpression":
        return { kind: "table", node: this.tableLiteral(e, unit) };
      case "StringLiteral":
        return { kind: "literal", debug: JSON.stringify(e.value) };
      case "NumericLiteral":
        return { kind: "literal", debug: e.raw };
      case "BooleanLiteral":
        return { kind: "literal", debug: String(e.value) };
      case "NilLiteral":
        return NIL;
      case "CallExpression":
      case "StringCallExpression":
      case "TableCallExpression":
        return this.call(e, unit);
      case "LogicalExpression": {
        // `t.x = t.x or {}` keeps an existing table.
        const left = this.evaluate(e.left, unit);
        if (e.operator !== "or") return UNKNOWN;
        if (left.kind === "table" || left.kind === "closure") return left;
        return left.kind === "nil" ? this.evaluate(e.right, unit) : UNKNOWN;
      }
      default:
        return UNKNOWN;
    }
  }

  /** Reading `t.key`: the api table and its namespaces create missing children (§1.1). */
  private child(node: TableNode, key: string, site: Site): Value {
    const entry = node.entries.get(key);
    if (entry !== undefined) {
      return entry.value.kind === "builtin" ? { kind: "builtin", name: key, site } : entry.value;
    }
    if (!node.autovivify) return UNKNOWN;
    const created: Value = { kind: "table", node: newTable(true) };
    node.entries.set(key, { key, value: created, site });
    return created;
  }

  private tableLiteral(t: L.TableConstructorExpression, unit: Unit): TableNode {
    const node = newTable(false);
    let position = 0;
    for (const f of t.fields) {
      const value = this.evaluate(f.value, unit);
      if (f.type === "TableKeyString") {
        this.setKey(node, f.key.name, value, siteOf(unit.file, f.key));
      } else if (f.type === "TableKey" && f.key.type === "StringLiteral") {
        this.setKey(node, f.key.value, value, siteOf(unit.file, f.key));
      } else if (value.kind !== "nil") {
        const key = f.type === "TableValue" ? String(++position) : keyDebug(f.key);
        node.others.push({ key, value, site: siteOf(unit.file, f.type === "TableValue" ? f.value : f.key) });
      }
    }
    return node;
  }

  private call(e: L.AnyCall, unit: Unit): Value {
    const args: L.Expression[] =
      e.type === "CallExpression"
        ? e.arguments
        : e.type === "TableCallExpression"
          ? [e.arguments]
          : [e.argument];
    // require("name") with a constant name: the module's value (run once, as Lua caches it).
    if (e.base.type === "Identifier" && e.base.name === "require" && !unit.scopes.bindingOf.has(e.base)) {
      return args[0]?.type === "StringLiteral" ? this.require(args[0].value) : UNKNOWN;
    }
    const isMethodCall = e.base.type === "MemberExpression" && e.base.indexer === ":";
    const self = isMethodCall ? this.evaluate((e.base as L.MemberExpression).base, unit) : null;
    const callee = this.evaluate(e.base, unit);
    const values = args.map((a) => this.evaluate(a, unit));
    if (callee.kind === "server-constructor") {
      const api = newTable(true, true);
      for (const name of BUILDER_NAMES) {
        api.entries.set(name, {
          key: name,
          value: { kind: "builtin", name, site: siteOf(unit.file, e) },
          site: siteOf(unit.file, e),
        });
      }
      this.servers.push(api);
      return { kind: "table", node: api };
    }
    if (callee.kind !== "closure") return UNKNOWN;
    const result = this.invoke(callee.fn, callee.unit, self === null ? values : [self, ...values]);
    return result.kind === "closure" ? { ...result, direct: false } : result;
  }

  /** Follows a call made while the app loads (`mount(api)`), binding its parameters. */
  private invoke(fn: L.FunctionDeclaration, unit: Unit, args: Value[]): Value {
    if (this.active.has(fn) || this.depth >= MAX_CALL_DEPTH) return UNKNOWN;
    this.active.add(fn);
    this.depth++;
    const params = [...fn.parameters];
    const id = fn.identifier;
    const implicitSelf = id !== null && id.type === "MemberExpression" && id.indexer === ":";
    let i = 0;
    if (implicitSelf) i = 1; // self is not bound to an identifier; its argument is skipped.
    for (const p of params) {
      if (p.type === "Identifier") this.bind(p, args[i] ?? NIL, unit);
      i++;
    }
    try {
      return this.run(fn.body, unit) ?? NIL;
    } finally {
      this.active.delete(fn);
      this.depth--;
    }
  }

  require(name: string): Value {
    const cached = this.moduleValues.get(name);
    if (cached === "loading") return UNKNOWN;
    if (cached !== undefined) return cached;
    const unit = this.units.get(name);
    if (unit === undefined || name === "") return UNKNOWN;
    this.moduleValues.set(name, "loading");
    const v = this.run(unit.chunk.body, unit) ?? UNKNOWN;
    this.moduleValues.set(name, v);
    return v;
  }
}

/** The constant key of `a.b` or `a["b"]` / `a[1]`, with the node to point at. */
function staticKey(e: L.Expression): { key: string | number; node: L.Expression } | null {
  // `a:b` names the field b too (a callee `rover:server`, or `function M:get()`).
  if (e.type === "MemberExpression") return { key: e.identifier.name, node: e.identifier };
  if (e.type === "IndexExpression") {
    if (e.index.type === "StringLiteral") return { key: e.index.value, node: e.index };
    if (e.index.type === "NumericLiteral") return { key: e.index.value, node: e.index };
  }
  return null;
}

function keyDebug(k: L.Expression): string {
  if (k.type === "NumericLiteral") return k.raw;
  if (k.type === "BooleanLiteral") return String(k.value);
  return "<" + k.type.replace(/Literal$|Expression$/, "").toLowerCase() + ">";
}

function hasRoutes(node: TableNode, seen = new Set<TableNode>()): boolean {
  if (seen.has(node)) return false;
  seen.add(node);
  for (const e of node.entries.values()) {
    if (routeish(e.value) && isMethod(e.key)) return true;
    if (e.value.kind === "table" && hasRoutes(e.value.node, seen)) return true;
  }
  return false;
}

// ---------------------------------------------------------------- reading the tree (§1.2)

interface Walk {
  routes: StaticRoute[];
  diagnostics: CheckDiagnostic[];
  /** "GET /users/:p0" → the route that took it. */
  seen: Map<string, { pattern: string; site: Site }>;
  ancestors: Set<TableNode>;
  /** Sites already reported (a table reachable at two paths is walked twice). */
  reported: Set<string>;
}

function report(w: Walk, d: CheckDiagnostic): void {
  const id = `${d.code}@${d.file.path}:${d.line}:${d.column}`;
  if (w.reported.has(id)) return;
  w.reported.add(id);
  w.diagnostics.push(d);
}

/** `display` is upstream's form ("/users/{id}"), `path` the router's ("/users/:p0"), `shown` ours ("/users/:id"). */
function visit(
  w: Walk,
  node: TableNode,
  display: string,
  path: string,
  shown: string,
  params: string[],
): void {
  if (w.ancestors.has(node)) return;
  w.ancestors.add(node);
  reportReplacements(w, node, display);
  checkParamSiblings(w, node, display);
  for (const e of node.entries.values()) {
    const { key, value } = e;
    if (key.startsWith("__rover_") || (node.root && BUILDER_NAMES.has(key))) continue;
    // Middleware at any level, and on_error at the root, are not routes (SPEC.md §5).
    if (key === "before" || key === "after" || (node.root && key === "on_error")) continue;
    if (value.kind === "closure" || value.kind === "unknown") {
      if (isMethod(key)) addRoute(w, key, e.site, display, path, shown, params);
      else if (value.kind !== "unknown") report(w, unknownMethod(key, display || "/", e.site));
      continue;
    }
    if (value.kind === "table") {
      if (key.startsWith("p_")) {
        const name = key.slice(2);
        if (name === "") {
          report(w, emptyParamName(display, e.site));
          continue;
        }
        if (params.includes(name)) {
          report(w, duplicateParamName(name, `${display}/{${name}}`, e.site));
          continue;
        }
        const next = params.concat(name);
        visit(w, value.node, `${display}/{${name}}`, `${path}/:p${params.length}`, `${shown}/:${name}`, next);
      } else if (UNROUTABLE_CHARS.test(key)) {
        report(w, unroutableSegment(key, display || "/", e.site));
      } else {
        visit(w, value.node, `${display}/${key}`, `${path}/${key}`, `${shown}/${key}`, params);
      }
      continue;
    }
    if (value.kind === "literal")
      report(w, invalidRouteEntry(display || "/", JSON.stringify(key), value.debug, e.site));
  }
  for (const e of node.others) {
    const debug =
      e.value.kind === "literal" ? e.value.debug : e.value.kind === "table" ? "table" : "function";
    report(w, invalidRouteEntry(display || "/", e.key, debug, e.site));
  }
  w.ancestors.delete(node);
}

function addRoute(
  w: Walk,
  key: string,
  site: Site,
  display: string,
  path: string,
  shown: string,
  params: string[],
): void {
  const method = key.toUpperCase();
  const pattern = display || "/";
  const id = `${method} ${path || "/"}`;
  const earlier = w.seen.get(id);
  if (earlier !== undefined) {
    // Different patterns for one router path come from sibling parameters: checkParamSiblings reports them.
    if (earlier.pattern === pattern) report(w, duplicateRoute(method, pattern, site, earlier.site));
    return;
  }
  w.seen.set(id, { pattern, site });
  w.routes.push({ method, path: shown || "/", params, site });
}

/** `function api.users.get` declared twice, or `api.users = {...}` after routes under api.users. */
function reportReplacements(w: Walk, node: TableNode, display: string): void {
  for (const { old, next } of node.replaced) {
    if (node.root && BUILDER_NAMES.has(old.key)) continue;
    // Only a handler written out again is a duplicate: `api.x.get = with_auth(api.x.get)` wraps the first.
    if (routeish(old.value) && routeish(next.value) && isMethod(old.key)) {
      if (next.value.kind !== "closure" || !next.value.direct) continue;
      report(w, duplicateRoute(old.key.toUpperCase(), display || "/", next.site, old.site));
      continue;
    }
    // Only a new table is reported: `t.x = t.x or {}` and other unknown values may keep the old one.
    if (old.value.kind === "table" && next.value.kind === "table" && next.value.node !== old.value.node) {
      const lost = routesUnder(old.value.node, `${display}/${old.key}`);
      if (lost.length > 0) {
        const first = lost[0];
        const more = lost.length > 1 ? ` and ${lost.length - 1} more` : "";
        report(
          w,
          routeTableReplaced(
            `${display}/${old.key}`,
            `${first.method} ${first.path}${more}`,
            next.site,
            first.site,
          ),
        );
      }
    }
  }
}

function routesUnder(node: TableNode, shown: string): StaticRoute[] {
  const w: Walk = { routes: [], diagnostics: [], seen: new Map(), ancestors: new Set(), reported: new Set() };
  visit(w, node, shown, shown, shown, []);
  return w.routes;
}

/** Sibling `p_a` and `p_b` tables (§1.5, router construction errors). */
function checkParamSiblings(w: Walk, node: TableNode, display: string): void {
  let first: Entry | null = null;
  const reportedNames = new Set<string>();
  for (const e of node.entries.values()) {
    if (!e.key.startsWith("p_") || e.key.length === 2 || e.value.kind !== "table") continue;
    if (first === null) {
      first = e;
      continue;
    }
    const name = e.key.slice(2);
    const firstName = first.key.slice(2);
    if (name === firstName || reportedNames.has(name) || first.value.kind !== "table") continue;
    reportedNames.add(name);
    const a = routeKeys(first.value.node);
    const shared = [...routeKeys(e.value.node)].find((k) => a.has(k)) ?? null;
    const sameRequests =
      shared === null ? null : shared.replace(" ", ` ${display}/{${name}}`).replace(/\/$/, "");
    report(w, paramNameConflict(name, firstName, `${display}/{${name}}`, sameRequests, e.site, first.site));
  }
}

/** "GET /posts/:" for every route under a table, parameters unnamed: what the router compares. */
function routeKeys(node: TableNode, prefix = "", seen = new Set<TableNode>()): Set<string> {
  const out = new Set<string>();
  if (seen.has(node)) return out;
  seen.add(node);
  for (const e of node.entries.values()) {
    if (e.key.startsWith("__rover_")) continue;
    if (routeish(e.value) && isMethod(e.key)) out.add(`${e.key.toUpperCase()} ${prefix}`);
    if (e.value.kind === "table") {
      const seg = e.key.startsWith("p_") ? ":" : e.key;
      for (const k of routeKeys(e.value.node, `${prefix}/${seg}`, seen)) out.add(k);
    }
  }
  seen.delete(node);
  return out;
}

// ---------------------------------------------------------------- entry point

/**
 * Rebuilds the api table of an app and reads its routes.
 * @param units the entry first (name ""), then the modules it requires, each parsed and resolved.
 */
export function analyseRoutes(units: Unit[]): RouteAnalysis {
  const entry = units.find((u) => u.name === "");
  if (entry === undefined) return { serverFound: false, routes: [], diagnostics: [] };
  const ev = new Evaluator(units);
  const returned = ev.run(entry.chunk.body, entry);
  // Only the returned server is started (§0.2); without one, the first server built is the app.
  let api: TableNode | undefined;
  if (returned !== null && returned.kind === "table" && ev.servers.includes(returned.node))
    api = returned.node;
  else api = ev.servers[0];
  if (api === undefined) return { serverFound: false, routes: [], diagnostics: ev.diagnostics };
  const w: Walk = {
    routes: [],
    diagnostics: [],
    seen: new Map(),
    ancestors: new Set(),
    reported: new Set(),
  };
  visit(w, api, "", "", "", []);
  return { serverFound: true, routes: w.routes, diagnostics: [...ev.diagnostics, ...w.diagnostics] };
}
