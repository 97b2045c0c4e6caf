// What guard schemas compiled at build time call (compiler/aot/): the two entry points that
// stand for `body:expect(schema)` and `rover.guard(data, schema)`, and the helpers that word
// an issue on the error path. The validator itself is generated code, `(data, issues) => out`,
// with guard-compile.ts's exact results; this module only does what surrounds a validation there.
// Everything exported here is exported to compiled code (runtime/lua/index.ts).
import { LuaTable } from "../lua/table.ts";
import type { LuaValue } from "../lua/value.ts";
import { throwLuaError } from "../lua/errors.ts";
import { numberToString } from "../lua/number.ts";
import { RequestBody, json } from "./body.ts";
import { raiseGuardError, gotName, display, type GuardIssue } from "./guard-error.ts";
import { isGuardArray } from "./guard-compile.ts";
import { guardIntact } from "./guard.ts";

export { guardIntact, isGuardArray };
import { raiseHttpError, NOT_AN_OBJECT } from "./http-error.ts";

/** A compiled schema: the validated table (undefined when `data` is no object); issues appended. */
export type CompiledValidator = (data: LuaValue, issues: GuardIssue[]) => LuaValue;

// The body methods as body.ts installs them: `body:expect` reaches the built-in method only while
// these are in place (Lua code can replace a method or a body's metatable).
const BODY_META = new RequestBody(Buffer.alloc(0), undefined).metatable!;
const BODY_METHODS = BODY_META.getStr("__index") as LuaTable;
const BUILTIN_EXPECT = BODY_METHODS.getStr("expect");

/**
 * `body:expect(schema)` with a compiled schema (the call site checked guardIntact): body.ts's
 * `expect` for a request body whose `expect` is the built-in method; undefined for anything
 * else, so the caller falls back to the ordinary method call with the schema evaluated as
 * written (which also gives the usual errors for nil and non-tables).
 */
export function expectCompiled(body: LuaValue, validator: CompiledValidator): LuaValue {
  if (
    !(body instanceof RequestBody) ||
    body.metatable !== BODY_META ||
    body.strs.expect !== undefined ||
    BODY_META.strs.__index !== BODY_METHODS ||
    BODY_METHODS.strs.expect !== BUILTIN_EXPECT
  )
    return undefined;
  const data = json(body);
  // A JSON array is no object, even an empty one.
  if (!(data instanceof LuaTable) || data.jsonArray)
    raiseHttpError(NOT_AN_OBJECT.status, NOT_AN_OBJECT.code, "Request body must be a JSON object");
  return run(data, validator);
}

/** `rover.guard(data, schema)` with a compiled schema (the guard's __call in guard.ts). */
export function guardCompiled(data: LuaValue, validator: CompiledValidator): LuaValue {
  if (!(data instanceof LuaTable)) throwLuaError("First argument must be a table");
  return run(data, validator);
}

function run(data: LuaTable, validator: CompiledValidator): LuaValue {
  const issues: GuardIssue[] = [];
  const out = validator(data, issues);
  if (issues.length > 0) raiseGuardError(issues);
  return out;
}

// ---------------------------------------------------------------- issues (error paths only)

export function guardTypeIssue(issues: GuardIssue[], path: string, expected: string, v: LuaValue): undefined {
  issues.push({ field: path, message: `Must be ${expected}, got ${gotName(expected, v)}`, type: "type" });
  return undefined;
}

export function guardFiniteIssue(issues: GuardIssue[], path: string, v: number): void {
  issues.push({ field: path, message: `Must be a finite number, got ${numberToString(v)}`, type: "type" });
}

export function guardFloatIssue(issues: GuardIssue[], path: string, v: number): void {
  issues.push({ field: path, message: `Must be an integer, got float ${numberToString(v)}`, type: "type" });
}

export function guardEnumIssue(issues: GuardIssue[], path: string, list: string, v: LuaValue): void {
  issues.push({ field: path, message: `Must be one of: ${list}. Got: '${display(v)}'`, type: "enum" });
}
