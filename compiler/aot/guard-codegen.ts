// Turns a schema description (guard-schema.ts) into the ESTree of one straight-line validator:
// `function $validateN($data, $issues)` with every field check unrolled in schema order, static
// paths and messages as literals, and the run-time guard's exact results (guard-compile.ts buildObject,
// buildField, buildType): same output tables, same issues in the same order. Error paths call
// small helpers of runtime/rover/guard-aot.ts; the happy path calls nothing but LuaTable.
import * as b from "../lower/builders.ts";
import type { JsNode } from "../lower/builders.ts";
import { numberToString } from "../../runtime/lua/number.ts";
import { strKey } from "../../runtime/lua/table.ts";
import type { FieldSpec, ObjectSpec, Scalar } from "./guard-schema.ts";
import { serializerFunction } from "./json-codegen.ts";
import { guardOutputShape } from "./json-shape.ts";

/** A field path: known at build time, or computed (inside arrays: `tags[` + (k + 1) + `]`). */
type Path = { text: string } | { expr: JsNode };

const IDENT = /^[A-Za-z_$][\w$]*$/;

/** `strs.key` of a table's string store (the property name strKey gives). */
function prop(obj: JsNode, key: string): JsNode {
  return IDENT.test(key) ? b.member(obj, key) : b.index(obj, b.lit(strKey(key)));
}

function pathNode(p: Path): JsNode {
  return "text" in p ? b.lit(p.text) : p.expr;
}

function childPath(p: Path, key: string): Path {
  if ("text" in p) return { text: p.text === "" ? key : p.text + "." + key };
  return { expr: b.binary("+", p.expr, b.lit("." + key)) };
}

function elementPath(p: Path, k: JsNode): Path {
  const head = "text" in p ? b.lit(p.text + "[") : b.binary("+", p.expr, b.lit("["));
  return { expr: b.binary("+", b.binary("+", head, b.binary("+", k, b.lit(1))), b.lit("]")) };
}

/** How guard.ts shows an enum value: numbers as Lua prints them. */
function display(v: Scalar): string {
  return typeof v === "number" ? numberToString(v) : String(v);
}

const and = (l: JsNode, r: JsNode) => b.logical("&&", l, r);
const or = (l: JsNode, r: JsNode) => b.logical("||", l, r);
const stmt = (e: JsNode) => b.exprStmt(e);
const typeOf = (v: JsNode, t: string) =>
  b.binary("===", { type: "UnaryExpression", operator: "typeof", prefix: true, argument: v }, b.lit(t));

function objectLiteral(entries: [string, JsNode][]): JsNode {
  return {
    type: "ObjectExpression",
    properties: entries.map(([k, v]) => ({
      type: "Property",
      key: b.id(k),
      value: v,
      kind: "init",
      computed: false,
      shorthand: false,
      method: false,
    })),
  };
}

class ValidatorGen {
  readonly vars: string[] = [];
  private count = 0;
  private readonly helper: (name: string) => JsNode;
  readonly issues = b.id("$issues");
  /** The JSON serializers of the output objects (json-codegen.ts), or null to generate none. */
  readonly serializers: Map<ObjectSpec, { name: string; fn: JsNode }> | null;

  constructor(helper: (name: string) => JsNode, withSerializers: boolean) {
    this.helper = helper;
    this.serializers = withSerializers ? new Map() : null;
  }

  /** `out.serializer = $serializeN` for an output object of `spec`, when it has one. */
  private tagOutput(out: JsNode, spec: ObjectSpec): JsNode[] {
    if (this.serializers === null) return [];
    let entry = this.serializers.get(spec);
    if (entry === undefined) {
      const shape = guardOutputShape(spec);
      if (shape === null) return [];
      const name = "$serialize" + (this.serializers.size + 1);
      entry = { name, fn: serializerFunction(shape, name, this.helper) };
      this.serializers.set(spec, entry);
    }
    return [stmt(b.assign(b.member(out, "serializer"), b.id(entry.name)))];
  }

  private fresh(prefix: string): JsNode {
    const name = "$" + prefix + ++this.count;
    this.vars.push(name);
    return b.id(name);
  }

  private issue(helper: string, args: JsNode[]): JsNode {
    return stmt(b.call(this.helper(helper), [this.issues, ...args]));
  }

  /** Not a table, or a table guard-compile.ts calls an array: "Must be an object". */
  private notObject(v: JsNode): JsNode {
    const listy = or(
      b.binary(">", b.member(b.member(v, "arr"), "length"), b.lit(0)),
      b.member(v, "jsonArray"),
    );
    return or(
      b.not(b.binary("instanceof", v, this.helper("LuaTable"))),
      and(listy, b.call(b.member(v, "hasOnlyArrayPart"), [])),
    );
  }

  /** buildObject: the schema's keys only, in schema order; `store` receives the new table. */
  object(v: JsNode, path: Path, spec: ObjectSpec, store: (r: JsNode) => JsNode[]): JsNode[] {
    const strs = this.fresh("s");
    const out = this.fresh("o");
    const outStrs = this.fresh("r");
    const x = this.fresh("x");
    const ok: JsNode[] = [
      stmt(b.assign(strs, b.member(v, "strs"))),
      stmt(b.assign(out, b.newExpr(this.helper("LuaTable"), []))),
      stmt(b.assign(outStrs, b.assign(b.member(out, "strs"), b.call(this.helper("newStrs"), [])))),
      ...this.tagOutput(out, spec),
    ];
    for (const { key, spec: field } of spec.fields) {
      ok.push(stmt(b.assign(x, prop(strs, key))));
      ok.push(...this.field(x, childPath(path, key), field, (r) => [stmt(b.assign(prop(outStrs, key), r))]));
    }
    ok.push(...store(out));
    const fail = this.issue("guardTypeIssue", [pathNode(path), b.lit("an object"), v]);
    return [b.ifStmt(this.notObject(v), b.block([fail]), b.block(ok))];
  }

  /** buildField: nil → default, required issue or nothing; otherwise the type check. */
  field(x: JsNode, path: Path, spec: FieldSpec, store: (r: JsNode) => JsNode[]): JsNode[] {
    const absent: JsNode[] = [];
    if (spec.hasDefault) absent.push(...store(b.lit(spec.defaultValue!)));
    else if (spec.required) {
      const message =
        spec.requiredMsg !== undefined
          ? b.lit(spec.requiredMsg)
          : "text" in path
            ? b.lit(`Field '${path.text}' is required`)
            : b.binary("+", b.binary("+", b.lit("Field '"), path.expr), b.lit("' is required"));
      const entry = objectLiteral([
        ["field", pathNode(path)],
        ["message", message],
        ["type", b.lit("required")],
      ]);
      absent.push(stmt(b.call(b.member(this.issues, "push"), [entry])));
    }
    const present = this.type(x, path, spec, store);
    if (absent.length === 0) return [b.ifStmt(b.binary("!==", x, b.undef()), b.block(present), null)];
    // `else if` rather than `else { if }`: the check is one statement.
    const otherwise = present.length === 1 ? present[0] : b.block(present);
    return [b.ifStmt(b.binary("===", x, b.undef()), b.block(absent), otherwise)];
  }

  /** buildType for a value that is not nil. */
  private type(x: JsNode, path: Path, spec: FieldSpec, store: (r: JsNode) => JsNode[]): JsNode[] {
    const p = pathNode(path);
    const typeIssue = (expected: string) => this.issue("guardTypeIssue", [p, b.lit(expected), x]);
    switch (spec.kind) {
      case "string":
        return [
          b.ifStmt(typeOf(x, "string"), b.block(this.withEnum(x, p, spec, store)), typeIssue("a string")),
        ];
      case "number": {
        // Finite: x - x is 0 for every finite number, NaN for NaN and ±inf.
        const finite = b.binary("===", b.binary("-", x, x), b.lit(0));
        const check = b.ifStmt(
          finite,
          b.block(this.withEnum(x, p, spec, store)),
          this.issue("guardFiniteIssue", [p, x]),
        );
        return [b.ifStmt(typeOf(x, "number"), b.block([check]), typeIssue("a number"))];
      }
      case "integer": {
        // Number.isInteger without naming a JS global (a Lua local may be called Number).
        const whole = b.binary("===", b.binary("%", x, b.lit(1)), b.lit(0));
        const check = b.ifStmt(
          whole,
          b.block(this.withEnum(x, p, spec, store)),
          this.issue("guardFloatIssue", [p, x]),
        );
        return [b.ifStmt(typeOf(x, "number"), b.block([check]), typeIssue("an integer"))];
      }
      case "boolean":
        return [b.ifStmt(typeOf(x, "boolean"), b.block(store(x)), typeIssue("a boolean"))];
      case "array":
        return this.array(x, path, spec.element!, store);
      case "object":
        return this.object(x, path, spec.schema!, store);
    }
  }

  /** withEnum: the value must be one of the list (SameValueZero, as Array.includes). */
  private withEnum(x: JsNode, p: JsNode, spec: FieldSpec, store: (r: JsNode) => JsNode[]): JsNode[] {
    const values = spec.enumValues;
    if (values === undefined) return store(x);
    const want = spec.kind === "string" ? "string" : "number";
    const tests = values.filter((v) => typeof v === want).map((v) => b.binary("===", x, b.lit(v)));
    const list = values.map(display).join(", ");
    const fail = this.issue("guardEnumIssue", [p, b.lit(list), x]);
    if (tests.length === 0) return [fail];
    return [b.ifStmt(tests.reduce(or), b.block(store(x)), fail)];
  }

  /**
   * buildType "array": a table with only an array part (isGuardArray); elements 1..n keep their
   * index, a nil result stays a hole. The items are collected first: the LuaTable constructor
   * trims trailing holes, as the array part's invariant wants.
   */
  private array(x: JsNode, path: Path, element: FieldSpec, store: (r: JsNode) => JsNode[]): JsNode[] {
    const arr = this.fresh("a");
    const out = this.fresh("n");
    const items = this.fresh("na");
    const k = this.fresh("k");
    const e = this.fresh("e");
    const body = [
      stmt(b.assign(e, b.index(arr, k))),
      ...this.field(e, elementPath(path, k), element, (r) => [stmt(b.assign(b.index(items, k), r))]),
    ];
    const ok: JsNode[] = [
      stmt(b.assign(arr, b.member(x, "arr"))),
      stmt(b.assign(items, b.array([]))),
      b.forStmt(
        b.assign(k, b.lit(0)),
        b.binary("<", k, b.member(arr, "length")),
        { type: "UpdateExpression", operator: "++", prefix: false, argument: k },
        b.block(body),
      ),
      stmt(b.assign(out, b.newExpr(this.helper("LuaTable"), [items]))),
      stmt(b.assign(b.member(out, "jsonArray"), b.lit(true))),
      ...store(out),
    ];
    const isArray = b.call(this.helper("isGuardArray"), [x]);
    const fail = this.issue("guardTypeIssue", [pathNode(path), b.lit("an array"), x]);
    return [b.ifStmt(isArray, b.block(ok), fail)];
  }
}

/**
 * The validator of a schema as a function expression `name($data, $issues)`: returns the
 * validated table (undefined when $data is no object) and appends every issue to $issues.
 * With `withSerializers`, the tables it returns carry a JSON serializer of their shape; the
 * expression is then `(function () { const $serialize1 = ...; return function name(...) {...}; })()`.
 * @param helper gives the reference to a runtime helper (`ctx.helper`): LuaTable, newStrs,
 *   guardTypeIssue, guardFiniteIssue, guardFloatIssue, guardEnumIssue, and json-codegen's.
 */
export function validatorFunction(
  spec: ObjectSpec,
  name: string,
  helper: (name: string) => JsNode,
  withSerializers = false,
): JsNode {
  const gen = new ValidatorGen(helper, withSerializers);
  const data = b.id("$data");
  const body = gen.object(data, { text: "" }, spec, (r) => [b.ret(r)]);
  const decls = gen.vars.length === 0 ? [] : [b.letDecl(gen.vars.map((v) => [v, null] as [string, null]))];
  const validator = b.fnExpr(name, [data, gen.issues], [...decls, ...body]);
  if (gen.serializers === null || gen.serializers.size === 0) return validator;
  const consts = b.letDecl(
    [...gen.serializers.values()].map(({ name, fn }) => [name, fn] as [string, JsNode]),
    "const",
  );
  return b.call(b.fnExpr(null, [], [consts, b.ret(validator)]), []);
}
