// Guard errors (ROVER_API.md §5.5, §5.6): a failed validation raises a guard error object, a
// table whose tostring is upstream's text and whose `errors` are the entries; reply.ts turns it
// into a 400 {"errors":[...]} wherever it was raised. Also the words of the messages.
import { LuaTable } from "../lua/table.ts";
import type { LuaValue } from "../lua/value.ts";
import { LuaError } from "../lua/errors.ts";
import { tostring } from "../lua/tostring.ts";
import { numberToString } from "../lua/number.ts";

export interface GuardIssue {
  field: string;
  message: string;
  type: string;
}

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

/** A value in a message: numbers as Lua prints them. */
export function display(v: LuaValue): string {
  return typeof v === "number" ? numberToString(v) : tostring(v);
}
