// Generates the JSON serializer of a table shape known at build time: the string keys a table
// constructor or a guard schema creates, in order, with a hint of each value's type. The
// serializer is `function $serializeN($t, $d)`, installed as the table's `serializer`
// (runtime/lua/json.ts calls it): it walks the table's actual keys against the expected ones,
// encodes expected keys with pre-encoded names and a type-specialised value encoder, and hands
// anything unexpected to the generic encoder, so its output is always exactly the generic one.
// When every value is a literal, the whole text is computed here, once, at build time.
import * as b from "../lower/builders.ts";
import type { JsNode } from "../lower/builders.ts";
import { jsonEncode } from "../../runtime/lua/json.ts";
import { LuaTable, strKey } from "../../runtime/lua/table.ts";

export type ValueHint = "string" | "number" | "boolean" | "any";

export interface ShapeField {
  key: string;
  hint: ValueHint;
  /** The literal value of a constructor field (`status = "ok"`), if it is one. */
  constant?: string | number | boolean;
}

const IDENT = /^[A-Za-z_$][\w$]*$/;
const HIDDEN_PREFIX = "__rover_";

const t = b.id("$t");
const d = b.id("$d");
const s = b.id("$s");
const ks = b.id("$ks");
const i = b.id("$i");
const o = b.id("$o");
const v = b.id("$v");

const and = (l: JsNode, r: JsNode) => b.logical("&&", l, r);
const or = (l: JsNode, r: JsNode) => b.logical("||", l, r);
const eq = (l: JsNode, r: JsNode) => b.binary("===", l, r);
const ne = (l: JsNode, r: JsNode) => b.binary("!==", l, r);
const typeOf = (x: JsNode, name: string) =>
  eq({ type: "UnaryExpression", operator: "typeof", prefix: true, argument: x }, b.lit(name));
const inc = (x: JsNode) =>
  b.exprStmt({ type: "UpdateExpression", operator: "++", prefix: false, argument: x });

/** `strs.key` of a table's string store (the property name strKey gives). */
function prop(obj: JsNode, key: string): JsNode {
  return IDENT.test(key) ? b.member(obj, key) : b.index(obj, b.lit(strKey(key)));
}

/** The JSON text of a key, as the generic encoder writes it. */
function encodedKey(key: string): string {
  const probe = new LuaTable();
  probe.setStr(key, true);
  const text = jsonEncode(probe); // {"<key>":true}
  return text.slice(1, text.length - 6);
}

/** The value encoder for a hint: specialised when the type is as expected, generic otherwise. */
function encodeWithHint(hint: ValueHint, helper: (name: string) => JsNode): JsNode {
  const generic = b.call(helper("jsonValue"), [v, d]);
  switch (hint) {
    case "string":
      return b.cond(typeOf(v, "string"), b.call(helper("jsonString"), [v]), generic);
    case "number":
      return b.cond(typeOf(v, "number"), b.call(helper("jsonNumber"), [v]), generic);
    case "boolean":
      return b.cond(eq(v, b.lit(true)), b.lit("true"), b.cond(eq(v, b.lit(false)), b.lit("false"), generic));
    case "any":
      // Strings and numbers inline, as most values are; the generic encoder for the rest.
      return b.cond(
        typeOf(v, "string"),
        b.call(helper("jsonString"), [v]),
        b.cond(typeOf(v, "number"), b.call(helper("jsonNumber"), [v]), generic),
      );
  }
}

/** `if ($t.arr.length !== 0 || ...) return undefined`: tables with an array or hash part, or [] tables. */
function bailUnlessPlainObject(): JsNode {
  const test = or(
    or(ne(b.member(b.member(t, "arr"), "length"), b.lit(0)), ne(b.member(t, "hash"), b.lit(null))),
    b.member(t, "jsonArray"),
  );
  return b.ifStmt(test, b.ret(b.undef()), null);
}

/** The whole text, when the table still holds exactly the constructor's literals. */
function constantPath(fields: ShapeField[]): JsNode | null {
  if (fields.length === 0 || fields.some((f) => f.constant === undefined)) return null;
  const table = new LuaTable();
  for (const f of fields) table.setStr(f.key, f.constant);
  const keys = [...new Set(fields.map((f) => f.key))];
  const tests: JsNode[] = [eq(b.member(ks, "length"), b.lit(keys.length))];
  keys.forEach((k, n) => tests.push(eq(b.index(ks, b.lit(n)), b.lit(strKey(k)))));
  for (const k of keys) tests.push(eq(prop(s, k), b.lit(table.getStr(k) as string | number | boolean)));
  return b.ifStmt(tests.reduce(and), b.ret(b.lit(jsonEncode(table))), null);
}

/**
 * The serializer of a shape as a function expression `name($t, $d)`.
 * @param helper the reference to a runtime helper (`ctx.helper`): jsonKeys, jsonValue,
 *   jsonString, jsonNumber, jsonRest.
 */
export function serializerFunction(
  fields: ShapeField[],
  name: string,
  helper: (name: string) => JsNode,
): JsNode {
  const body: JsNode[] = [
    bailUnlessPlainObject(),
    b.letDecl([
      ["$s", b.member(t, "strs")],
      ["$ks", b.call(helper("jsonKeys"), [s])],
    ]),
  ];
  const constant = constantPath(fields);
  if (constant !== null) body.push(constant);
  body.push(
    b.letDecl([
      ["$i", b.lit(0)],
      ["$o", b.lit("{")],
      ["$v", null],
    ]),
  );
  const seen = new Set<string>();
  for (const f of fields) {
    if (seen.has(f.key)) continue; // { a = 1, a = 2 }: one key, the last value
    seen.add(f.key);
    const matches = eq(b.index(ks, i), b.lit(strKey(f.key)));
    if (f.key.startsWith(HIDDEN_PREFIX)) {
      body.push(b.ifStmt(matches, inc(i), null)); // never serialized
      continue;
    }
    const name = encodedKey(f.key);
    // Nothing is written before the first expected key; later ones need a comma unless all
    // earlier values were nil.
    const label =
      seen.size === 1
        ? b.lit(name + ":")
        : b.cond(eq(b.member(o, "length"), b.lit(1)), b.lit(name + ":"), b.lit("," + name + ":"));
    const write = b.exprStmt({
      type: "AssignmentExpression",
      operator: "+=",
      left: o,
      right: b.binary("+", label, encodeWithHint(f.hint, helper)),
    });
    body.push(
      b.ifStmt(
        matches,
        b.block([inc(i), b.exprStmt(b.assign(v, prop(s, f.key))), b.ifStmt(ne(v, b.undef()), write, null)]),
        null,
      ),
    );
  }
  body.push(
    b.ret(
      b.cond(
        eq(i, b.member(ks, "length")),
        b.binary("+", o, b.lit("}")),
        b.call(helper("jsonRest"), [t, ks, i, o, d]),
      ),
    ),
  );
  return b.fnExpr(name, [t, d], body);
}
