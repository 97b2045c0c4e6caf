// The catalogue of `rover check` diagnostics: one named factory per code. Codes are stable
// (tests and editors key on them); the sentences may change. Route-tree messages that have
// an upstream startup error keep upstream's exact text (ROVER_API.md §1.5).
import type { Diagnostic } from "../diagnostics.ts";
import type { SourceFile } from "../source.ts";
import { BUILDER_NAMES as RUNTIME_BUILDER_NAMES } from "../../runtime/rover/responses.ts";
import { UNROUTABLE_CHARS, unroutableReason } from "../../runtime/rover/errors.ts";

/** A position in a file: 1-based line and column. */
export interface Site {
  file: SourceFile;
  line: number;
  column: number;
}

export interface Note extends Site {
  message: string;
}

/** A diagnostic that may point at related places (the first declaration of a duplicate, ...). */
export interface CheckDiagnostic extends Diagnostic {
  notes: Note[];
}

/** Method keys in upstream's order (ROVER_API.md §1.4); runtime/rover/errors.ts has the same list. */
export const METHOD_KEYS = ["get", "head", "options", "post", "put", "patch", "delete"] as const;

/** Helpers pre-installed on the api table; reserved as keys of the ROOT table only (SPEC.md §5). */
export const BUILDER_NAMES: ReadonlySet<string> = new Set(RUNTIME_BUILDER_NAMES);

export function siteOf(file: SourceFile, node: { loc: { start: { line: number; column: number } } }): Site {
  return { file, line: node.loc.start.line, column: node.loc.start.column + 1 };
}

/** Lua strings are bytes (latin1 JS strings); messages are shown as UTF-8 text. */
export function luaText(s: string): string {
  return Buffer.from(s, "latin1").toString("utf8");
}

function make(
  code: string,
  severity: "error" | "warning",
  message: string,
  at: Site,
  notes: Note[] = [],
): CheckDiagnostic {
  return { code, severity, message, file: at.file, line: at.line, column: at.column, notes };
}

function note(message: string, at: Site): Note {
  return { message, file: at.file, line: at.line, column: at.column };
}

function where(s: Site): string {
  return `${s.file.chunkName}:${s.line}`;
}

// ---------------------------------------------------------------- route tree

export function unknownMethod(key: string, path: string, at: Site): CheckDiagnostic {
  return make(
    "unknown_method",
    "error",
    `Unknown HTTP method '${luaText(key)}' at path '${luaText(path)}'. Valid methods: ${METHOD_KEYS.join(", ")}`,
    at,
  );
}

export function emptyParamName(parentPath: string, at: Site): CheckDiagnostic {
  return make("empty_param_name", "error", `Empty parameter name at path '${luaText(parentPath)}'`, at);
}

export function invalidRouteEntry(path: string, key: string, value: string, at: Site): CheckDiagnostic {
  return make(
    "invalid_route_entry",
    "error",
    `Invalid server config at path '${luaText(path)}': expected string key with table/function value, got ${luaText(key)} = ${luaText(value)}`,
    at,
  );
}

export function duplicateRoute(method: string, path: string, at: Site, first: Site): CheckDiagnostic {
  return make(
    "duplicate_route",
    "error",
    `Duplicate route ${method} ${luaText(path)}: already declared at ${where(first)}`,
    at,
    [note(`${method} ${luaText(path)} is first declared here`, first)],
  );
}

/**
 * Sibling parameters with different names. Upstream's router rejects them at startup; Rover
 * accepts them unless both sides declare the same method (then they match the same requests).
 */
export function paramNameConflict(
  name: string,
  otherName: string,
  path: string,
  sameRequests: string | null,
  at: Site,
  other: Site,
): CheckDiagnostic {
  const head = `Parameter '${luaText(name)}' conflicts with its sibling '${luaText(otherName)}' at path '${luaText(path)}'`;
  return sameRequests !== null
    ? make("param_name_conflict", "error", `${head}: both declare ${luaText(sameRequests)}`, at, [
        note(`'p_${luaText(otherName)}' is declared here`, other),
      ])
    : make(
        "param_name_conflict",
        "warning",
        `${head}: upstream Rover's router refuses to start (Rover accepts it); use one name`,
        at,
        [note(`'p_${luaText(otherName)}' is declared here`, other)],
      );
}

export function unroutableSegment(segment: string, path: string, at: Site): CheckDiagnostic {
  const c = UNROUTABLE_CHARS.exec(segment)![0];
  return make(
    "unroutable_segment",
    "error",
    `Route segment '${luaText(segment)}' at path '${luaText(path)}' contains '${c}', which no route can match: ${unroutableReason(c)}`,
    at,
  );
}

export function duplicateParamName(name: string, path: string, at: Site): CheckDiagnostic {
  return make(
    "duplicate_param_name",
    "error",
    `Duplicate parameter name '${luaText(name)}' at path '${luaText(path)}': ctx:params() would keep only one`,
    at,
  );
}

export function reservedRouteName(name: string, at: Site): CheckDiagnostic {
  return make(
    "reserved_route_name",
    "warning",
    `'${name}' is a helper on the api table, not a route segment: routes declared under api.${name} are never served`,
    at,
  );
}

export function routeTableReplaced(path: string, lost: string, at: Site, first: Site): CheckDiagnostic {
  return make(
    "route_table_replaced",
    "warning",
    `Assigning a new table at path '${luaText(path)}' drops the routes declared under it before (${luaText(lost)})`,
    at,
    [note(`${luaText(lost)} is declared here`, first)],
  );
}

// ---------------------------------------------------------------- guard schemas (ROVER_API.md §5.1)

export function unknownGuardMethod(
  name: string,
  kind: "constructor" | "modifier",
  at: Site,
): CheckDiagnostic {
  const known =
    kind === "constructor"
      ? "Validators: string, number, integer, boolean, array, object"
      : "Modifiers: required, default, enum, nullable";
  return make("unknown_guard_method", "error", `Unknown guard ${kind} '${name}'. ${known}`, at);
}

export function guardDotCall(name: string, at: Site): CheckDiagnostic {
  return make(
    "guard_dot_call",
    "warning",
    `'.${name}(...)' is called with a dot: the guard passes its argument as self and loses it; write ':${name}(...)'`,
    at,
  );
}

export function guardEnumNotTable(at: Site): CheckDiagnostic {
  return make(
    "guard_enum_not_table",
    "error",
    `enum(...) takes a table of allowed strings, e.g. enum{ "a", "b" }`,
    at,
  );
}

export function guardNotValidator(what: string, at: Site): CheckDiagnostic {
  return make(
    "guard_not_validator",
    "error",
    `${what} is not a guard validator (expected g:string(), g:number(), g:integer(), g:boolean(), g:array(v) or g:object(schema))`,
    at,
  );
}

/** `callee` names what wanted the schema: "expect(...)", "g:object(...)", "rover.guard(data, schema)". */
export function guardNotSchema(callee: string, at: Site): CheckDiagnostic {
  return make(
    "guard_not_schema",
    "error",
    `${callee} takes a schema: a table of field = validator, e.g. { name = g:string():required() }`,
    at,
  );
}

// ---------------------------------------------------------------- globals

export function undefinedGlobal(name: string, at: Site): CheckDiagnostic {
  return make(
    "undefined_global",
    "warning",
    `Global '${luaText(name)}' is read but never assigned anywhere in the app (a typo?)`,
    at,
  );
}

// ---------------------------------------------------------------- files

export function moduleNotFound(name: string, at: Site): CheckDiagnostic {
  return make(
    "module_not_found",
    "warning",
    `module '${luaText(name)}' not found next to the app or in the working directory`,
    at,
  );
}

export function fromDiagnostic(d: Diagnostic): CheckDiagnostic {
  return { ...d, notes: [] };
}
