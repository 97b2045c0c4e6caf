// Compiling guard schemas (ROVER_API.md §5.3, §5.4) with the intended contract rather than
// upstream's bugs (§5.2): fields are optional unless required, and default, enum, custom
// required messages and nullable take effect. A schema (a table field → validator) is compiled
// on first use into a validator closure and cached per schema table, so a schema built once at
// module level costs one walk (schemas written as literals are compiled at build time instead:
// guard-aot.ts and compiler/aot/). Errors come in schema order (tables keep insertion order),
// array elements ascending.
import { LuaTable } from "../lua/table.ts";
import type { LuaValue } from "../lua/value.ts";
import { numberToString } from "../lua/number.ts";
import { isEmptyJsonObject } from "../lua/json.ts";
import { raiseGuardError, gotName, display, type GuardIssue } from "./guard-error.ts";

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

type Check = (value: LuaValue, path: string, issues: GuardIssue[]) => LuaValue;

/** An array for the guard: keys exactly 1..n (or empty, unless decoded from a JSON `{}`). */
export function isGuardArray(v: LuaValue): v is LuaTable {
  return v instanceof LuaTable && v.hasOnlyArrayPart() && (v.arr.length > 0 || !isEmptyJsonObject(v));
}

/** Not an object for the guard: a non-table, or a non-empty array (a decoded `[]` included). */
function isListy(v: LuaTable): boolean {
  return (v.arr.length > 0 || v.jsonArray) && v.hasOnlyArrayPart();
}

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

function emptyJsonArray(): LuaTable {
  const t = new LuaTable();
  t.jsonArray = true;
  return t;
}

function buildField(spec: Spec): Check {
  const typeCheck = buildType(spec);
  const required = spec.required;
  const requiredMsg = spec.requiredMsg;
  const hasDefault = spec.hasDefault;
  const defaultValue = spec.defaultValue;
  // An empty table as an array's default is an empty JSON array: a new one each time, since
  // marking the app's own table would change how it encodes elsewhere.
  const emptyArrayDefault =
    spec.kind === "array" &&
    defaultValue instanceof LuaTable &&
    defaultValue.arr.length === 0 &&
    defaultValue.hasOnlyArrayPart();
  return (value, path, issues) => {
    if (value === undefined) {
      if (hasDefault) return emptyArrayDefault ? emptyJsonArray() : defaultValue;
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
  // An entry that is not a table (`name = "x"`) is upstream's "Failed to read schema pairs",
  // reported at the object's own path; the other entries are still checked.
  let unreadable = false;
  for (let e = schema.next(undefined); e !== undefined; e = schema.next(e[0])) {
    const [k, v] = e;
    if (!(v instanceof LuaTable)) {
      unreadable = true;
      continue;
    }
    keys.push(typeof k === "string" ? k : display(k));
    checks.push(compileValidator(v));
  }
  return (v, p, issues) => {
    if (!(v instanceof LuaTable) || isListy(v)) return typeError(p, "an object", v, issues);
    if (unreadable) issues.push({ field: p, message: "Failed to read schema pairs", type: "config" });
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

/** A schema is a table of validators, or an object validator (g:object(...)) standing for one. */
export function schemaOf(schema: LuaTable): LuaTable {
  if (schema.getStr("type") === "object") {
    const inner = schema.getStr("schema");
    if (inner instanceof LuaTable) return inner;
  }
  return schema;
}
