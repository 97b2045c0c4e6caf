// Finds the table constructors whose tables are likely to be sent as JSON and reads their
// shape, for json-codegen.ts. A constructor qualifies when it is returned (`return {...}`),
// passed to a JSON builder (`api.json{...}`, `api.json:status(201, {...})`), stored into a
// list (`list[#list + 1] = {...}`, `table.insert(list, {...})`), or nested in one of those.
// Only constructors with named fields get a serializer; the plan is a hint, never a promise:
// the generated serializer checks the table it is given.
import type * as L from "../lua-ast.ts";
import { rangeKey } from "./guard-schema.ts";
import type { ShapeField, ValueHint } from "./json-codegen.ts";
import type { FieldSpec, ObjectSpec } from "./guard-schema.ts";

/** At most this many fields: larger literals are configuration, not responses. */
const MAX_FIELDS = 64;

/** The range keys of the constructors to give a serializer. */
export function planResponseTables(chunk: L.Chunk): Set<string> {
  const marked = new Set<string>();
  planFunction(chunk.body, marked);
  return marked;
}

/**
 * Marks the qualifying constructors of one function body (nested functions get their own
 * pass). A returned local (`local user = {...}; return user`) marks the constructors that
 * function assigns to that name: a name shadowed in an inner block only costs a serializer
 * that is never used.
 */
function planFunction(body: L.Statement[], marked: Set<string>): void {
  const byName = new Map<string, L.TableConstructorExpression[]>();
  const namesSent = new Set<string>();
  const mark = (e: L.Expression | undefined): void => {
    if (e === undefined) return;
    if (e.type === "Identifier") namesSent.add(e.name);
    if (e.type !== "TableConstructorExpression") return;
    marked.add(rangeKey(e));
    for (const f of e.fields) mark(f.value);
  };
  walk(body, (node) => {
    switch (node.type) {
      case "FunctionDeclaration":
        planFunction((node as L.FunctionDeclaration).body, marked);
        return false;
      case "ReturnStatement":
        mark((node as L.ReturnStatement).arguments[0]);
        break;
      case "LocalStatement":
      case "AssignmentStatement": {
        const a = node as L.LocalStatement | L.AssignmentStatement;
        a.variables.forEach((target, n) => {
          const value = a.init[n];
          if (target.type === "IndexExpression") mark(value);
          else if (target.type === "Identifier" && value?.type === "TableConstructorExpression") {
            const list = byName.get(target.name) ?? [];
            list.push(value);
            byName.set(target.name, list);
          }
        });
        break;
      }
      case "CallExpression":
      case "TableCallExpression": {
        const c = node as L.CallExpression | L.TableCallExpression;
        const args = c.type === "CallExpression" ? c.arguments : [c.arguments];
        if (isJsonBuilder(c.base) || isTableInsert(c.base)) mark(args[args.length - 1]);
        break;
      }
    }
    return true;
  });
  for (const name of namesSent) for (const e of byName.get(name) ?? []) mark(e);
}

/** `x.json`, `x.json:status` / `x.json.status`. */
function isJsonBuilder(callee: L.Expression): boolean {
  if (callee.type !== "MemberExpression") return false;
  if (callee.identifier.name === "json") return true;
  return (
    callee.identifier.name === "status" &&
    callee.base.type === "MemberExpression" &&
    callee.base.identifier.name === "json"
  );
}

function isTableInsert(callee: L.Expression): boolean {
  return (
    callee.type === "MemberExpression" &&
    callee.identifier.name === "insert" &&
    callee.base.type === "Identifier" &&
    callee.base.name === "table"
  );
}

/** Calls `visit` on every AST node in `node`; a visit that returns false skips the node's children. */
function walk(node: unknown, visit: (n: { type: string }) => boolean): void {
  if (Array.isArray(node)) {
    for (const x of node) walk(x, visit);
    return;
  }
  if (node === null || typeof node !== "object" || typeof (node as { type?: unknown }).type !== "string")
    return;
  if (!visit(node as { type: string })) return;
  for (const [k, v] of Object.entries(node)) {
    if (k !== "loc" && k !== "range" && typeof v === "object") walk(v, visit);
  }
}

/** The shape of a constructor with named fields only, or null when it has another kind of field. */
export function constructorShape(e: L.TableConstructorExpression): ShapeField[] | null {
  if (e.fields.length === 0 || e.fields.length > MAX_FIELDS) return null;
  const fields: ShapeField[] = [];
  for (const f of e.fields) {
    let key: string;
    if (f.type === "TableKeyString") key = f.key.name;
    else if (f.type === "TableKey" && f.key.type === "StringLiteral") key = f.key.value;
    else return null;
    fields.push({ key, ...valueHint(f.value) });
  }
  return fields;
}

const ARITHMETIC = new Set(["+", "-", "*", "/", "%", "^"]);
const COMPARISON = new Set(["==", "~=", "<", "<=", ">", ">="]);

/** What a field's value probably is: its literal, or the type its operator usually yields. */
function valueHint(e: L.Expression): { hint: ValueHint; constant?: string | number | boolean } {
  switch (e.type) {
    case "StringLiteral":
      return { hint: "string", constant: e.value };
    case "NumericLiteral":
      return { hint: "number", constant: e.value };
    case "BooleanLiteral":
      return { hint: "boolean", constant: e.value };
    case "BinaryExpression":
      if (e.operator === "..") return { hint: "string" };
      if (ARITHMETIC.has(e.operator)) return { hint: "number" };
      if (COMPARISON.has(e.operator)) return { hint: "boolean" };
      return { hint: "any" };
    case "UnaryExpression":
      if (e.operator === "not") return { hint: "boolean" };
      return { hint: e.operator === "#" || e.operator === "-" ? "number" : "any" };
    case "CallExpression":
      // Unless the app redefines them: the serializer checks the type anyway.
      if (e.base.type === "Identifier" && e.base.name === "tostring") return { hint: "string" };
      if (e.base.type === "Identifier" && e.base.name === "tonumber") return { hint: "number" };
      return { hint: "any" };
    default:
      return { hint: "any" };
  }
}

/** The shape of the table a guard schema's validation returns, or null when keys cannot be relied on. */
export function guardOutputShape(spec: ObjectSpec): ShapeField[] | null {
  if (spec.fields.length === 0 || spec.fields.length > MAX_FIELDS) return null;
  return spec.fields.map((f) => ({ key: f.key, hint: guardHint(f.spec) }));
}

function guardHint(spec: FieldSpec): ValueHint {
  switch (spec.kind) {
    case "string":
    case "boolean":
      return spec.kind;
    case "number":
    case "integer":
      return "number";
    default:
      return "any";
  }
}
