// Reads rover.guard schemas written as Lua literals (ROVER_API.md §5) into a plain description
// that guard-codegen.ts turns into a straight-line validator. Takes a parsed chunk; returns, for
// every `x:expect(schema)` and `g(data, schema)` call whose schema is fully understood, the
// description of that schema. Anything not understood statically gives no plan (the call keeps
// the run-time guard): a computed value, a validator held in a variable that escapes, `g:extend`.
import type * as L from "../lua-ast.ts";
import { resolveScopes, type Binding, type Resolution } from "../analyse/globals.ts";

export type GuardKind = "string" | "number" | "integer" | "boolean" | "array" | "object";
export type Scalar = string | number | boolean;

/** One validator, as guard-compile.ts's buildField sees it once the modifiers have run. */
export interface FieldSpec {
  kind: GuardKind;
  /** `required && !nullable`: what the run-time check reads. */
  required: boolean;
  requiredMsg: string | undefined;
  hasDefault: boolean;
  defaultValue: Scalar | undefined;
  /** Only checked for string, number and integer validators (guard-compile.ts withEnum). */
  enumValues: Scalar[] | undefined;
  /** array: the element validator. */
  element: FieldSpec | undefined;
  /** object: the nested schema. */
  schema: ObjectSpec | undefined;
}

/** A schema table: its fields in the order `next` visits them. */
export interface ObjectSpec {
  fields: { key: string; spec: FieldSpec }[];
}

export interface GuardCallPlan {
  kind: "expect" | "guard";
  /** Where the schema comes from (a literal, or the local holding it): one validator per source. */
  schemaKey: string;
  spec: ObjectSpec;
  /**
   * The declarations of the locals through which the schema (or the called guard) reaches
   * rover.guard (`local g = rover.guard`): compiled code checks their values at the call,
   * since they hold whatever rover.guard was when they were declared.
   */
  aliases: L.Identifier[];
}

const CONSTRUCTORS = new Set<string>(["string", "number", "integer", "boolean", "array", "object"]);
const NO_OP_MODIFIERS = new Set(["primary", "auto", "unique", "references", "index"]);
/** Aliases (`local g = rover.guard; local h = g`) and locals are followed this many steps. */
const MAX_DEPTH = 16;

export function rangeKey(n: { range: [number, number] }): string {
  return n.range[0] + ":" + n.range[1];
}

function argsOf(c: L.AnyCall): L.Expression[] {
  if (c.type === "CallExpression") return c.arguments;
  if (c.type === "TableCallExpression") return [c.arguments];
  return [c.argument];
}

function isCall(n: any): n is L.AnyCall {
  return n.type === "CallExpression" || n.type === "TableCallExpression" || n.type === "StringCallExpression";
}

/** A literal's value as the lowering emits it; null when `e` is not a scalar literal (nil is undefined). */
function scalar(e: L.Expression): { value: Scalar | undefined } | null {
  switch (e.type) {
    case "StringLiteral":
      return { value: e.value };
    case "NumericLiteral":
    case "BooleanLiteral":
      return { value: e.value };
    case "NilLiteral":
      return { value: undefined };
    case "UnaryExpression":
      return e.operator === "-" && e.argument.type === "NumericLiteral" ? { value: -e.argument.value } : null;
    default:
      return null;
  }
}

/** A table key written as `name = ...` or `["name"] = ...`; null for any other key. */
function stringKey(f: L.TableKey | L.TableKeyString | L.TableValue): string | null {
  if (f.type === "TableKeyString") return f.key.name;
  if (f.type === "TableKey" && f.key.type === "StringLiteral") return scalar(f.key)!.value as string;
  return null;
}

class GuardSchemas {
  private readonly scopes: Resolution;
  private readonly parents = new Map<object, any>();
  private readonly usesOf = new Map<Binding, L.Identifier[]>();
  /** Locals whose table or validator only ever reaches the guard (never escapes, never changes). */
  private readonly sealed = new Set<Binding>();
  /** The alias declarations met while reading the current plan's schema (see GuardCallPlan). */
  private aliases = new Set<L.Identifier>();

  constructor(chunk: L.Chunk) {
    this.scopes = resolveScopes(chunk);
    this.linkParents(chunk, null);
    for (const [id, b] of this.scopes.bindingOf) {
      if (id === b.decl) continue;
      const list = this.usesOf.get(b);
      if (list === undefined) this.usesOf.set(b, [id]);
      else list.push(id);
    }
    this.sealLocals();
  }

  private linkParents(n: any, parent: any): void {
    if (n === null || typeof n !== "object") return;
    if (Array.isArray(n)) {
      for (const x of n) this.linkParents(x, parent);
      return;
    }
    if (typeof n.type !== "string") return;
    this.parents.set(n, parent);
    for (const k in n) if (k !== "loc" && k !== "range") this.linkParents(n[k], n);
  }

  private isRover(e: L.Expression): boolean {
    return e.type === "Identifier" && e.name === "rover" && !this.scopes.bindingOf.has(e);
  }

  /** `rover.guard`, or a local that only ever holds it. */
  isGuard(e: L.Expression, depth = 0): boolean {
    if (depth > MAX_DEPTH) return false;
    if (e.type === "MemberExpression") {
      return e.indexer === "." && e.identifier.name === "guard" && this.isRover(e.base);
    }
    if (e.type !== "Identifier") return false;
    const b = this.scopes.bindingOf.get(e);
    return b !== undefined && !b.reassigned && b.init !== null && this.isGuard(b.init, depth + 1);
  }

  /** The value of a sealed local, or null. */
  private sealedInit(e: L.Expression): L.Expression | null {
    if (e.type !== "Identifier") return null;
    const b = this.scopes.bindingOf.get(e);
    return b !== undefined && this.sealed.has(b) ? b.init : null;
  }

  // ------------------------------------------------------------ which locals are sealed

  /**
   * Candidates: locals never reassigned, declared with a table literal or a call. A candidate
   * stays sealed while every use of it is a place where only the guard reads it (a schema
   * argument, a constructor argument, a field of such a table, the value of a sealed local);
   * anything else (a modifier call on it, `return schema`, `schema.x = ...`) could change it
   * before its first use, so it is dropped, until nothing changes.
   */
  private sealLocals(): void {
    for (const b of new Set(this.scopes.bindingOf.values())) {
      if (b.reassigned || b.init === null || b.decl === null) continue;
      if (b.init.type === "TableConstructorExpression" || isCall(b.init)) this.sealed.add(b);
    }
    let changed = true;
    while (changed) {
      changed = false;
      for (const b of this.sealed) {
        if ((this.usesOf.get(b) ?? []).every((u) => this.readByGuardOnly(u, 0))) continue;
        this.sealed.delete(b);
        changed = true;
      }
    }
  }

  private readByGuardOnly(node: L.Expression, depth: number): boolean {
    if (depth > MAX_DEPTH) return false;
    const p = this.parents.get(node);
    if (p === undefined || p === null) return false;
    if (isCall(p)) {
      const args = argsOf(p);
      // Any `x:expect` could be the app's own method, which may change the table it is given.
      if (this.isExpectCall(p)) return args[0] === node && this.isBody((p.base as L.MemberExpression).base);
      if (this.isGuardCall(p)) return args[1] === node;
      const ctor = this.constructorName(p);
      return (ctor === "object" || ctor === "array") && args.length === 1 && args[0] === node;
    }
    if ((p.type === "TableKey" || p.type === "TableKeyString") && p.value === node) {
      return this.readByGuardOnly(this.parents.get(p), depth + 1);
    }
    if (p.type === "LocalStatement") {
      const i = (p as L.LocalStatement).init.indexOf(node);
      const v = (p as L.LocalStatement).variables[i];
      const b = v === undefined ? undefined : this.scopes.bindingOf.get(v);
      return b !== undefined && this.sealed.has(b);
    }
    return false;
  }

  /**
   * A request body or what its :json() returns (`ctx:body()`, `ctx:body():json()`, or a local
   * that only ever holds one), whose `expect` is the guard's unless the app patched it (then the
   * compiled validator is not used either: guard-aot.ts).
   */
  private isBody(e: L.Expression, depth = 0): boolean {
    if (depth > MAX_DEPTH) return false;
    if (isCall(e)) {
      return (
        e.base.type === "MemberExpression" &&
        e.base.indexer === ":" &&
        ["body", "json"].includes(e.base.identifier.name)
      );
    }
    if (e.type !== "Identifier") return false;
    const b = this.scopes.bindingOf.get(e);
    return b !== undefined && !b.reassigned && b.init !== null && this.isBody(b.init, depth + 1);
  }

  isExpectCall(c: L.AnyCall): boolean {
    return (
      c.base.type === "MemberExpression" &&
      c.base.indexer === ":" &&
      c.base.identifier.name === "expect" &&
      argsOf(c).length === 1
    );
  }

  isGuardCall(c: L.AnyCall): boolean {
    return this.isGuard(c.base) && argsOf(c).length === 2;
  }

  /** `g:string()` / `g.array(v)`: the constructor name when the callee is one on the guard. */
  private constructorName(c: L.AnyCall): string | null {
    const base = c.base;
    if (base.type !== "MemberExpression" || !this.isGuard(base.base)) return null;
    return CONSTRUCTORS.has(base.identifier.name) ? base.identifier.name : null;
  }

  // ------------------------------------------------------------ descriptions

  /** The schema given to expect or rover.guard: a table, or an object validator standing for one (schemaOf). */
  topSchema(e: L.Expression, depth = 0): ObjectSpec | null {
    if (depth > MAX_DEPTH) return null;
    if (e.type === "TableConstructorExpression") return this.objectFields(e, depth);
    const init = this.sealedInit(e);
    if (init !== null) return this.topSchema(init, depth + 1);
    if (isCall(e)) {
      const v = this.chain(e, depth);
      return v !== null && v.kind === "object" ? v.schema! : null;
    }
    return null;
  }

  /** The argument of g:object(...) or a hand-built `schema =`: a table of validators (buildObject). */
  private schemaTable(e: L.Expression, depth: number): ObjectSpec | null {
    if (depth > MAX_DEPTH) return null;
    if (e.type === "TableConstructorExpression") return this.objectFields(e, depth);
    const init = this.sealedInit(e);
    return init !== null && init.type === "TableConstructorExpression"
      ? this.objectFields(init, depth + 1)
      : null;
  }

  private objectFields(t: L.TableConstructorExpression, depth: number): ObjectSpec | null {
    const specs = new Map<string, FieldSpec>();
    for (const f of t.fields) {
      const key = stringKey(f);
      if (key === null || specs.has(key)) return null;
      const spec = this.validator(f.value, depth + 1);
      if (spec === null) return null;
      specs.set(key, spec);
    }
    // Source order: the order in which `next` visits the schema table's string keys.
    return { fields: [...specs].map(([key, spec]) => ({ key, spec })) };
  }

  private validator(e: L.Expression, depth: number): FieldSpec | null {
    if (depth > MAX_DEPTH) return null;
    if (e.type === "TableConstructorExpression") return this.handBuilt(e, depth);
    if (isCall(e)) return this.chain(e, depth);
    const init = this.sealedInit(e);
    return init === null ? null : this.validator(init, depth + 1);
  }

  /** `g:string():required("msg"):default("x")`: the constructor, then each modifier in order. */
  private chain(e: L.AnyCall, depth: number): FieldSpec | null {
    const calls: L.AnyCall[] = [];
    let cur: L.Expression = e;
    while (isCall(cur) && cur.base.type === "MemberExpression") {
      calls.unshift(cur);
      cur = cur.base.base;
    }
    if (calls.length === 0 || !this.isGuard(cur)) return null;
    this.noteAlias(cur);
    const [ctor, ...modifiers] = calls;
    const kind = (ctor.base as L.MemberExpression).identifier.name;
    if (!CONSTRUCTORS.has(kind)) return null;
    const spec = emptySpec(kind as GuardKind);
    const args = argsOf(ctor);
    if (kind === "array" || kind === "object") {
      // g:array(v) and g.array(v) both take v (guard.ts strips the guard from self).
      if (args.length !== 1 || this.isGuard(args[0])) return null;
      if (kind === "array") spec.element = this.validator(args[0], depth + 1) ?? undefined;
      else spec.schema = this.schemaTable(args[0], depth + 1) ?? undefined;
      if (spec.element === undefined && spec.schema === undefined) return null;
    } else if (args.length !== 0) return null;
    let required = false;
    let nullable = false;
    for (const m of modifiers) {
      const base = m.base as L.MemberExpression;
      if (base.indexer !== ":") return null; // `.required()` raises at run time
      const name = base.identifier.name;
      const margs = argsOf(m);
      const values = margs.map(scalar);
      if (name === "required") {
        if (
          margs.length > 1 ||
          values.some((v) => v === null || (v.value !== undefined && typeof v.value !== "string"))
        )
          return null;
        required = true;
        nullable = false;
        spec.requiredMsg = values[0]?.value as string | undefined;
      } else if (name === "default") {
        if (margs.length > 1 || values.some((v) => v === null)) return null;
        spec.defaultValue = values[0]?.value;
        spec.hasDefault = spec.defaultValue !== undefined;
      } else if (name === "enum") {
        if (margs.length !== 1) return null;
        const list = enumList(margs[0]);
        if (list === null) return null;
        spec.enumValues = list;
      } else if (name === "nullable") {
        if (margs.length !== 0) return null;
        nullable = true;
        required = false;
      } else if (NO_OP_MODIFIERS.has(name)) {
        if (values.some((v) => v === null)) return null;
      } else return null;
    }
    spec.required = required && !nullable;
    return spec;
  }

  /**
   * `{ type = "string", required = true, ... }` read as guard-compile.ts specOf reads it: each
   * of required, required_msg, default, enum, nullable from the plain key, else (absent or nil)
   * from `_key`, the names the modifiers write.
   */
  private handBuilt(t: L.TableConstructorExpression, depth: number): FieldSpec | null {
    const fields = new Map<string, L.Expression>();
    for (const f of t.fields) {
      const key = stringKey(f);
      if (key === null || fields.has(key)) return null;
      fields.set(key, f.value);
    }
    const type = fields.get("type");
    const kind = type === undefined ? null : scalar(type);
    if (kind === null || typeof kind.value !== "string" || !CONSTRUCTORS.has(kind.value)) return null;
    const spec = emptySpec(kind.value as GuardKind);
    const read = new Set(["type"]);
    /** The expression a field name reads; null when it cannot be known at build time. */
    const pick = (name: string): L.Expression | undefined | null => {
      for (const key of [name, "_" + name]) {
        const e = fields.get(key);
        if (e === undefined) continue;
        read.add(key);
        const lit = scalar(e);
        if (lit === null) return e.type === "TableConstructorExpression" ? e : null;
        if (lit.value !== undefined) return e;
      }
      return undefined;
    };
    const literal = (name: string): { value: Scalar | undefined } | null => {
      const e = pick(name);
      return e === undefined ? { value: undefined } : e === null ? null : scalar(e);
    };
    const required = literal("required");
    const requiredMsg = literal("required_msg");
    const def = literal("default");
    const nullable = literal("nullable");
    if (required === null || requiredMsg === null || def === null || nullable === null) return null;
    spec.requiredMsg = typeof requiredMsg.value === "string" ? requiredMsg.value : undefined;
    spec.defaultValue = def.value;
    spec.hasDefault = def.value !== undefined;
    const en = pick("enum");
    if (en === null) return null;
    if (en !== undefined && en.type === "TableConstructorExpression") {
      const list = enumList(en);
      if (list === null) return null;
      spec.enumValues = list;
    }
    const element = fields.get("element");
    if (element !== undefined && (scalar(element) === null || spec.kind === "array")) {
      read.add("element");
      spec.element = this.validator(element, depth + 1) ?? undefined;
      if (spec.element === undefined) return null;
    }
    const schema = fields.get("schema");
    if (schema !== undefined && (scalar(schema) === null || spec.kind === "object")) {
      read.add("schema");
      spec.schema = this.schemaTable(schema, depth + 1) ?? undefined;
      if (spec.schema === undefined) return null;
    }
    // Other keys are not read, but their values are evaluated: only literals are harmless.
    for (const [key, value] of fields) if (!read.has(key) && scalar(value) === null) return null;
    if (spec.kind === "array" && spec.element === undefined) return null;
    if (spec.kind === "object" && spec.schema === undefined) return null;
    spec.required = required.value === true && nullable.value !== true;
    return spec;
  }

  // ------------------------------------------------------------ call sites

  plans(): Map<string, GuardCallPlan> {
    const out = new Map<string, GuardCallPlan>();
    for (const n of this.parents.keys()) {
      if (!isCall(n)) continue;
      const kind = this.isExpectCall(n) ? "expect" : this.isGuardCall(n) ? "guard" : null;
      if (kind === null) continue;
      this.aliases = new Set();
      if (kind === "guard") this.noteAlias(n.base);
      const arg = argsOf(n)[kind === "expect" ? 0 : 1];
      const spec = this.topSchema(arg);
      if (spec === null) continue;
      const b = arg.type === "Identifier" ? this.scopes.bindingOf.get(arg) : undefined;
      const schemaKey = b?.decl ? "local:" + rangeKey(b.decl) : "literal:" + rangeKey(arg);
      out.set(rangeKey(n), { kind, schemaKey, spec, aliases: [...this.aliases] });
    }
    return out;
  }

  /** Records the declaration of `e` when it is a local alias of rover.guard (isGuard holds). */
  private noteAlias(e: L.Expression): void {
    if (e.type !== "Identifier") return;
    const decl = this.scopes.bindingOf.get(e)?.decl;
    if (decl !== null && decl !== undefined) this.aliases.add(decl);
  }
}

function emptySpec(kind: GuardKind): FieldSpec {
  return {
    kind,
    required: false,
    requiredMsg: undefined,
    hasDefault: false,
    defaultValue: undefined,
    enumValues: undefined,
    element: undefined,
    schema: undefined,
  };
}

/** `{ "a", "b" }`: the positional items, all non-nil scalar literals; null for anything else. */
function enumList(e: L.Expression): Scalar[] | null {
  if (e.type !== "TableConstructorExpression") return null;
  const out: Scalar[] = [];
  for (const f of e.fields) {
    if (f.type !== "TableValue") return null;
    const v = scalar(f.value);
    if (v === null || v.value === undefined) return null;
    out.push(v.value);
  }
  return out;
}

/**
 * The guard calls of a chunk that can be compiled ahead of time, keyed by the call's range
 * (`rangeKey`), so the lowering can find the plan of the call node it is looking at.
 */
export function planGuardCalls(chunk: L.Chunk): Map<string, GuardCallPlan> {
  return new GuardSchemas(chunk).plans();
}
