// rover.guard (ROVER_API.md §5) with the intended contract rather than upstream's bugs (§5.2):
// fields are optional unless :required(), and :default, :enum, custom required messages and
// :nullable take effect. A schema (a table field → validator) is compiled on first use into a
// validator closure and cached per schema table, so a schema built once at module level costs
// one walk (schemas written as literals are compiled at build time instead: guard-aot.ts and
// compiler/aot/); errors come in schema order (tables keep insertion order), array elements
// ascending. A failed validation raises a guard error object (a table: tostring gives
// upstream's text of §5.5, err.errors the entries), which reply.ts turns into a 400
// {"errors":[...]} wherever it was raised.
import { LuaTable } from "../lua/table.ts";
import type { LuaValue, LuaFunction } from "../lua/value.ts";
import { LuaError, throwLuaError } from "../lua/errors.ts";
import { argError } from "../lua/args.ts";
import { first } from "../lua/multi.ts";
import { callable } from "../lua/ops.ts";
import { tostring } from "../lua/tostring.ts";
import { numberToString } from "../lua/number.ts";
import { isEmptyJsonObject } from "../lua/json.ts";

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

/** What a validator checks, read from its fields when its schema is compiled (specOf). */
interface Spec {
  kind: LuaValue;
  required: boolean;
  requiredMsg: string | undefined;
  hasDefault: boolean;
  defaultValue: LuaValue;
  enumValues: LuaValue[] | undefined;
  element: LuaValue;
  schema: LuaValue;
}

export interface GuardIssue {
  field: string;
  message: string;
  type: string;
}

type Check = (value: LuaValue, path: string, issues: GuardIssue[]) => LuaValue;

// ---------------------------------------------------------------- error objects

const GUARD_ERROR_META = new LuaTable();
GUARD_ERROR_META.setStr("__tostring", (e: LuaTable) => guardErrorText(guardIssues(e) ?? []));
GUARD_ERROR_META.setStr("__concat", (a: LuaValue, b: LuaValue) => str(a) + str(b));

function str(v: LuaValue): string {
  return v instanceof LuaTable && v.metatable === GUARD_ERROR_META ? tostring(v) : tostring(v);
}

const issuesOf = new WeakMap<LuaTable, GuardIssue[]>();

/** Upstream's text form (§5.5): a header, a blank line, then one numbered block per error. */
export function guardErrorText(issues: GuardIssue[]): string {
  let out = "Validation failed for request body:\n\n";
  issues.forEach((e, i) => {
    if (i > 0) out += "\n";
    out += `  ${i + 1}. Field '${e.field}'\n     Error: ${e.message}\n     Type: ${e.type}\n`;
  });
  return out;
}

export function raiseGuardError(issues: GuardIssue[]): never {
  const e = new LuaTable();
  const list = new LuaTable();
  list.jsonArray = true;
  for (const i of issues) {
    const row = new LuaTable();
    row.setStr("field", i.field);
    row.setStr("message", i.message);
    row.setStr("type", i.type);
    list.setNum(list.arr.length + 1, row);
  }
  e.setStr("errors", list);
  e.metatable = GUARD_ERROR_META;
  issuesOf.set(e, issues);
  throw new LuaError(e);
}

/**
 * The entries written in upstream's text form (§5.5) inside `text` (tostring of a guard error,
 * perhaps with a position prefix), as upstream's api:error reads them back (§3.6); undefined
 * when the text has none.
 */
export function parseGuardErrorText(text: string): GuardIssue[] | undefined {
  if (!text.includes("Validation failed for request body:")) return undefined;
  const out: GuardIssue[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const field = /^\s*\d+\. Field '(.*)'\s*$/.exec(lines[i]);
    const message = /^\s*Error: (.*)$/.exec(lines[i + 1] ?? "");
    const type = /^\s*Type: (.*?)\s*$/.exec(lines[i + 2] ?? "");
    if (field === null || message === null || type === null) continue;
    out.push({ field: field[1], message: message[1], type: type[1] });
    i += 2;
  }
  return out.length > 0 ? out : undefined;
}

/** The entries of a guard error object, or undefined for any other value. */
export function guardIssues(v: LuaValue): GuardIssue[] | undefined {
  return v instanceof LuaTable && v.metatable === GUARD_ERROR_META ? issuesOf.get(v) : undefined;
}

// ---------------------------------------------------------------- type names and checks

/** Upstream's host type names: whole numbers are "integer", other numbers "number". */
export function typeName(v: LuaValue): string {
  if (v === undefined) return "nil";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  if (typeof v === "string" || typeof v === "boolean" || typeof v === "function") return typeof v;
  if (v instanceof LuaTable) return "table";
  return "userdata";
}

/**
 * What a value that fails the `expected` check is, in its message. Upstream's type names
 * (typeName), except for the tables Rover refuses where upstream accepts any table: an array
 * validator given an object says "got object", an object validator given an array "got array".
 */
export function gotName(expected: string, v: LuaValue): string {
  if (v instanceof LuaTable && (expected === "an array" || expected === "an object"))
    return expected === "an array" ? "object" : "array";
  return typeName(v);
}

/** An array for the guard: keys exactly 1..n (or empty, unless decoded from a JSON `{}`). */
export function isGuardArray(v: LuaValue): v is LuaTable {
  return v instanceof LuaTable && v.hasOnlyArrayPart() && (v.arr.length > 0 || !isEmptyJsonObject(v));
}

/** Not an object for the guard: a non-table, or a non-empty array (a decoded `[]` included). */
function isListy(v: LuaTable): boolean {
  return (v.arr.length > 0 || v.jsonArray) && v.hasOnlyArrayPart();
}

/** A value in a message: numbers as Lua prints them. */
export function display(v: LuaValue): string {
  return typeof v === "number" ? numberToString(v) : tostring(v);
}

// ---------------------------------------------------------------- compiling schemas

const compiledSchemas = new WeakMap<LuaTable, Check>();
const compiledValidators = new WeakMap<LuaTable, Check>();

/** The object check of a schema table (field → validator), compiled once and cached. */
export function compileSchema(schema: LuaTable): Check {
  let c = compiledSchemas.get(schema);
  if (c === undefined) {
    c = buildObject(schema);
    compiledSchemas.set(schema, c);
  }
  return c;
}

/** A validator field: the plain name (hand-built tables, raw writes), else the modifier's `_name`. */
function fieldOf(v: LuaTable, name: string): LuaValue {
  const plain = v.getStr(name);
  return plain !== undefined ? plain : v.getStr("_" + name);
}

/** Reads a validator: any table with a string `type` (made by the guard or by hand). */
function specOf(v: LuaValue): Spec | undefined {
  if (!(v instanceof LuaTable)) return undefined;
  const kind = v.getStr("type");
  if (typeof kind !== "string") return undefined;
  const msg = fieldOf(v, "required_msg");
  const def = fieldOf(v, "default");
  const en = fieldOf(v, "enum");
  return {
    kind,
    required: fieldOf(v, "required") === true && fieldOf(v, "nullable") !== true,
    requiredMsg: typeof msg === "string" ? msg : undefined,
    hasDefault: def !== undefined,
    defaultValue: def,
    enumValues: en instanceof LuaTable ? en.arr.filter((x) => x !== undefined) : undefined,
    element: v.getStr("element"),
    schema: v.getStr("schema"),
  };
}

function compileValidator(v: LuaValue): Check {
  if (v instanceof LuaTable) {
    const cached = compiledValidators.get(v);
    if (cached !== undefined) return cached;
  }
  const spec = specOf(v);
  const c = spec === undefined ? configError("Invalid validator configuration") : buildField(spec);
  if (v instanceof LuaTable) compiledValidators.set(v, c);
  return c;
}

function configError(message: string): Check {
  return (_v, path, issues) => {
    issues.push({ field: path, message, type: "config" });
    return undefined;
  };
}

function buildField(spec: Spec): Check {
  const typeCheck = buildType(spec);
  const required = spec.required;
  const requiredMsg = spec.requiredMsg;
  const hasDefault = spec.hasDefault;
  const defaultValue = spec.defaultValue;
  // An empty table as an array's default is an empty JSON array.
  if (spec.kind === "array" && defaultValue instanceof LuaTable && defaultValue.hasOnlyArrayPart())
    defaultValue.jsonArray = true;
  return (value, path, issues) => {
    if (value === undefined) {
      if (hasDefault) return defaultValue;
      if (required)
        issues.push({ field: path, message: requiredMsg ?? `Field '${path}' is required`, type: "required" });
      return undefined;
    }
    return typeCheck(value, path, issues);
  };
}

function typeError(path: string, expected: string, v: LuaValue, issues: GuardIssue[]): undefined {
  issues.push({ field: path, message: `Must be ${expected}, got ${gotName(expected, v)}`, type: "type" });
  return undefined;
}

function withEnum(spec: Spec, check: Check): Check {
  const values = spec.enumValues;
  if (values === undefined) return check;
  const list = values.map(display).join(", ");
  return (value, path, issues) => {
    const out = check(value, path, issues);
    if (out === undefined) return undefined;
    if (!values.includes(out)) {
      issues.push({ field: path, message: `Must be one of: ${list}. Got: '${display(out)}'`, type: "enum" });
      return undefined;
    }
    return out;
  };
}

function buildType(spec: Spec): Check {
  switch (spec.kind) {
    case "string":
      return withEnum(spec, (v, p, i) => (typeof v === "string" ? v : typeError(p, "a string", v, i)));
    case "number":
      return withEnum(spec, (v, p, i) => {
        if (typeof v !== "number") return typeError(p, "a number", v, i);
        if (!Number.isFinite(v)) {
          i.push({ field: p, message: `Must be a finite number, got ${numberToString(v)}`, type: "type" });
          return undefined;
        }
        return v;
      });
    case "integer":
      return withEnum(spec, (v, p, i) => {
        if (typeof v !== "number") return typeError(p, "an integer", v, i);
        if (!Number.isInteger(v)) {
          i.push({ field: p, message: `Must be an integer, got float ${numberToString(v)}`, type: "type" });
          return undefined;
        }
        return v;
      });
    case "boolean":
      return (v, p, i) => (typeof v === "boolean" ? v : typeError(p, "a boolean", v, i));
    case "array": {
      if (spec.element === undefined) return configError("Invalid array element configuration");
      const element = compileValidator(spec.element);
      return (v, p, i) => {
        if (!isGuardArray(v)) return typeError(p, "an array", v, i);
        // Elements keep their index: a nil result (a JSON null) stays a hole, encoded as null.
        const arr = v.arr;
        const items: LuaValue[] = [];
        for (let k = 0; k < arr.length; k++) items[k] = element(arr[k], p + "[" + (k + 1) + "]", i);
        const out = new LuaTable(items);
        out.jsonArray = true;
        return out;
      };
    }
    case "object":
      if (!(spec.schema instanceof LuaTable)) return configError("Invalid object schema configuration");
      return buildObject(spec.schema);
    default:
      return configError(`Unknown validator type: ${String(spec.kind)}`);
  }
}

function buildObject(schema: LuaTable): Check {
  const keys: string[] = [];
  const checks: Check[] = [];
  for (let e = schema.next(undefined); e !== undefined; e = schema.next(e[0])) {
    const [k, v] = e;
    keys.push(typeof k === "string" ? k : display(k));
    checks.push(compileValidator(v));
  }
  return (v, p, issues) => {
    if (!(v instanceof LuaTable) || isListy(v)) return typeError(p, "an object", v, issues);
    const out = new LuaTable();
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k];
      const x = checks[k](v.getStr(key), p === "" ? key : p + "." + key, issues);
      if (x !== undefined) out.setStr(key, x);
    }
    return out;
  };
}

/** Validates `data` against a schema table; returns the validated table or raises a guard error. */
export function validate(data: LuaValue, schema: LuaTable): LuaValue {
  const issues: GuardIssue[] = [];
  const out = compileSchema(schema)(data, "", issues);
  if (issues.length > 0) raiseGuardError(issues);
  return out;
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

/** Whether the built-in guard of the state with globals `G` is as it started (see GuardSnapshot). */
export function guardIntact(G: LuaValue): boolean {
  const s = snapshots.get(G as LuaTable);
  if (s === undefined || s.guard.metatable !== s.guardMeta) return false;
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

/** A schema is a table of validators, or an object validator (g:object(...)) standing for one. */
export function schemaOf(schema: LuaTable): LuaTable {
  if (schema.getStr("type") === "object") {
    const inner = schema.getStr("schema");
    if (inner instanceof LuaTable) return inner;
  }
  return schema;
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
