// The rover.guard table (ROVER_API.md §5.1): the constructors, the modifiers every validator
// has through its metatable, validate and extend, and rover.guard(data, schema) itself.
// Validation is guard-compile.ts; errors are guard-error.ts.
import { LuaTable } from "../lua/table.ts";
import type { LuaValue, LuaFunction } from "../lua/value.ts";
import { LuaError, throwLuaError } from "../lua/errors.ts";
import { argError } from "../lua/args.ts";
import { first } from "../lua/multi.ts";
import { callable } from "../lua/ops.ts";
import { tostring } from "../lua/tostring.ts";
import { guardIssues } from "./guard-error.ts";
import { validate, schemaOf } from "./guard-compile.ts";

export type GuardType = "string" | "number" | "integer" | "boolean" | "array" | "object";

/**
 * A validator made by g:string() etc.: a table whose fields say what it checks, so Lua code can
 * read and write them. `type`, `element` and `schema` as in a hand-built validator; the
 * modifiers write `_required`, `_required_msg`, `_default`, `_enum` and `_nullable` (as upstream
 * does) so that their own names stay callable methods; a field of the plain name
 * (`v.required = false`, upstream's documented workaround, or `self.required = true` in a
 * g:extend method) wins over the modifier's.
 */
export class Validator extends LuaTable {
  constructor(kind: GuardType, meta: LuaTable) {
    super();
    this.setStr("type", kind);
    this.metatable = meta;
  }
}

// ---------------------------------------------------------------- the rover.guard table

const CONSTRUCTORS: GuardType[] = ["string", "number", "integer", "boolean"];
const NO_OPS = ["primary", "auto", "unique", "references", "index"];

/** Builds rover.guard: a callable table with the constructors, validate and extend. */
export function createGuard(): LuaTable {
  return makeGuard(baseMethods());
}

// ---------------------------------------------------------------- what compiled schemas assume

/**
 * A validator compiled at build time (compiler/aot/) stands for a schema literal built with the
 * built-in guard. That holds while `rover.guard` is the guard this state started with and no
 * constructor, modifier or metatable of it was replaced: the entries a snapshot lists. Any Lua
 * code can patch them (`getmetatable(g:string()).__index.required = f`), so compiled code checks
 * before each use (guardIntact) and evaluates the schema as written when they differ.
 */
interface GuardSnapshot {
  tables: LuaTable[];
  keys: string[];
  values: LuaValue[];
  guard: LuaTable;
  guardMeta: LuaTable | undefined;
}

const snapshots = new WeakMap<LuaTable, GuardSnapshot>();

/** Records the built-in guard of the state whose globals are `G` (rover is `G.rover`). */
export function recordBuiltinGuard(G: LuaTable, rover: LuaTable): void {
  const guard = rover.getStr("guard") as LuaTable;
  const parts = guardParts.get(guard)!;
  const tables: LuaTable[] = [];
  const keys: string[] = [];
  const values: LuaValue[] = [];
  const add = (t: LuaTable, k: string) => {
    tables.push(t);
    keys.push(k);
    values.push(t.getStr(k));
  };
  add(G, "rover");
  add(rover, "guard");
  for (const t of [guard, parts.methods])
    for (let e = t.next(undefined); e !== undefined; e = t.next(e[0])) add(t, e[0] as string);
  add(guard.metatable!, "__call");
  add(parts.meta, "__index");
  snapshots.set(G, { tables, keys, values, guard, guardMeta: guard.metatable });
}

/**
 * Whether the built-in guard of the state with globals `G` is as it started (see GuardSnapshot),
 * and each of `aliases` (locals declared as `rover.guard`) holds it.
 */
export function guardIntact(G: LuaValue, ...aliases: LuaValue[]): boolean {
  const s = snapshots.get(G as LuaTable);
  if (s === undefined || s.guard.metatable !== s.guardMeta) return false;
  for (let i = 0; i < aliases.length; i++) if (aliases[i] !== s.guard) return false;
  const { tables, keys, values } = s;
  // Raw strs reads: none of these names looks like an array index (table.ts strKey).
  for (let i = 0; i < tables.length; i++) if (tables[i].strs[keys[i]] !== values[i]) return false;
  return true;
}

/** The metatable of a guard's validators and its methods table, by guard. */
const guardParts = new WeakMap<LuaTable, { meta: LuaTable; methods: LuaTable }>();

function baseMethods(): LuaTable {
  const methods = new LuaTable();
  const self = (name: string, v: LuaValue): Validator => {
    if (!(v instanceof Validator)) argError(1, name, "validator expected (call it as v:" + name + "(...))");
    return v;
  };
  methods.setStr(
    "required",
    named("required", (v: LuaValue, msg: LuaValue) => {
      const s = self("required", v);
      if (msg !== undefined && typeof msg !== "string") argError(2, "required", "string expected");
      s.setStr("_required", true);
      s.setStr("_nullable", undefined);
      s.setStr("_required_msg", msg);
      return s;
    }),
  );
  methods.setStr(
    "default",
    named("default", (v: LuaValue, d: LuaValue) => {
      const s = self("default", v);
      s.setStr("_default", d);
      return s;
    }),
  );
  methods.setStr(
    "enum",
    named("enum", (v: LuaValue, list: LuaValue) => {
      const s = self("enum", v);
      if (!(list instanceof LuaTable)) argError(2, "enum", "table expected");
      s.setStr("_enum", new LuaTable(list.arr.filter((x) => x !== undefined)));
      return s;
    }),
  );
  methods.setStr(
    "nullable",
    named("nullable", (v: LuaValue) => {
      const s = self("nullable", v);
      s.setStr("_nullable", true);
      s.setStr("_required", undefined);
      return s;
    }),
  );
  for (const n of NO_OPS)
    methods.setStr(
      n,
      named(n, (v: LuaValue) => self(n, v)),
    );
  return methods;
}

function makeGuard(methods: LuaTable): LuaTable {
  const meta = new LuaTable();
  meta.setStr("__index", methods);
  const guard = new LuaTable();
  const strip = (a: LuaValue): boolean => a === guard;
  for (const kind of CONSTRUCTORS)
    guard.setStr(
      kind,
      named(kind, () => new Validator(kind, meta)),
    );
  guard.setStr(
    "array",
    named("array", (a: LuaValue, b: LuaValue) => {
      const element = strip(a) ? b : a;
      if (element === undefined) argError(1, "array", "element validator expected");
      const v = new Validator("array", meta);
      v.setStr("element", element);
      return v;
    }),
  );
  guard.setStr(
    "object",
    named("object", (a: LuaValue, b: LuaValue) => {
      const schema = strip(a) ? b : a;
      if (!(schema instanceof LuaTable)) argError(1, "object", "schema table expected");
      const v = new Validator("object", meta);
      v.setStr("schema", schema);
      return v;
    }),
  );
  guard.setStr(
    "validate",
    named("validate", (a: LuaValue, ...rest: LuaValue[]) => {
      const fn = strip(a) ? rest.shift() : a;
      return runValidate(fn, rest);
    }),
  );
  guard.setStr(
    "extend",
    named("extend", (a: LuaValue, b: LuaValue) => {
      const ext = strip(a) ? b : a;
      if (!(ext instanceof LuaTable)) argError(1, "extend", "table of methods expected");
      const derived = new LuaTable();
      for (let e = methods.next(undefined); e !== undefined; e = methods.next(e[0])) derived.set(e[0], e[1]);
      for (let e = ext.next(undefined); e !== undefined; e = ext.next(e[0])) {
        const [k, f] = e;
        if (typeof k !== "string" || typeof f !== "function")
          argError(1, "extend", "table of named functions expected");
        // Chainable: a method that returns nothing returns the validator.
        derived.setStr(
          k,
          named(k, (v: LuaValue, ...args: LuaValue[]) => {
            const r = first((f as LuaFunction)(v, ...args));
            return r === undefined ? v : r;
          }),
        );
      }
      return makeGuard(derived);
    }),
  );
  const guardMeta = new LuaTable();
  guardMeta.setStr(
    "__call",
    named("guard", (_self: LuaValue, data: LuaValue, schema: LuaValue) => {
      if (!(data instanceof LuaTable)) throwLuaError("First argument must be a table");
      if (!(schema instanceof LuaTable)) throwLuaError("Second argument must be a table");
      return validate(data, schemaOf(schema));
    }),
  );
  guard.metatable = guardMeta;
  guardParts.set(guard, { meta, methods });
  return guard;
}

/**
 * rover.guard.validate(fn, ...): runs fn and returns its results. Guard errors pass through
 * unchanged (so they still answer 400, unlike upstream); any other error is re-raised as its
 * plain message string.
 */
function runValidate(fn: LuaValue, args: LuaValue[]): unknown {
  const f = callable(fn);
  try {
    return f(...args);
  } catch (e) {
    if (e instanceof LuaError && guardIssues(e.value) === undefined && typeof e.value !== "string")
      throw new LuaError(tostring(e.value));
    throw e;
  }
}

function named<F extends (...args: any[]) => any>(name: string, f: F): F {
  Object.defineProperty(f, "name", { value: name });
  return f;
}
