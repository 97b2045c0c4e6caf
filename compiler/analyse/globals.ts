// Lexical scope resolution for `rover check`: one walk over a chunk that binds every
// identifier to the local it names (Lua 5.1 manual §2.6) or records it as a global read or
// write. Takes a parsed chunk, returns the bindings; nothing is reported here.
import type * as L from "../lua-ast.ts";

export interface Binding {
  name: string;
  /** The declaring identifier; null for the implicit `self` of `function a:b()`. */
  decl: L.Identifier | null;
  /** The value the local was declared with (`local x = <init>`, `local function x`), if any. */
  init: L.Expression | null;
  /** Assigned again after its declaration (so `init` is not the whole story). */
  reassigned: boolean;
}

export interface Resolution {
  /** Every identifier that names a local (declarations and references). */
  bindingOf: Map<L.Identifier, Binding>;
  /** Identifiers read as globals, in source order. */
  globalReads: L.Identifier[];
  /** Global name → the values assigned to it (null when the value is not an expression). */
  globalWrites: Map<string, (L.Expression | null)[]>;
  /** The chunk writes globals under names it computes (`_G[k] = v`, `setfenv`, `module`). */
  dynamicGlobals: boolean;
}

/** The globals LuaJIT 2.1 defines before any script runs, plus Rover's `rover`. */
export const STANDARD_GLOBALS: ReadonlySet<string> = new Set(
  (
    "print type tostring tonumber pairs ipairs next select error assert pcall xpcall setmetatable " +
    "getmetatable rawget rawset rawequal unpack require collectgarbage _G _VERSION arg string table " +
    "math os io bit coroutine package debug load loadstring dofile getfenv setfenv newproxy gcinfo " +
    "module jit rover"
  ).split(" "),
);

type Scope = Map<string, Binding>;

export function resolveScopes(chunk: L.Chunk): Resolution {
  const r = new Resolver();
  r.block(chunk.body);
  return r.result;
}

class Resolver {
  readonly result: Resolution = {
    bindingOf: new Map(),
    globalReads: [],
    globalWrites: new Map(),
    dynamicGlobals: false,
  };
  private scopes: Scope[] = [new Map()];

  block(body: L.Statement[]): void {
    this.scopes.push(new Map());
    for (const s of body) this.statement(s);
    this.scopes.pop();
  }

  private declareLocal(id: L.Identifier, init: L.Expression | null): void {
    const b: Binding = { name: id.name, decl: id, init, reassigned: false };
    this.scopes[this.scopes.length - 1].set(id.name, b);
    this.result.bindingOf.set(id, b);
  }

  private lookup(name: string): Binding | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const b = this.scopes[i].get(name);
      if (b !== undefined) return b;
    }
    return undefined;
  }

  private isGlobalG(e: L.Expression): boolean {
    return e.type === "Identifier" && e.name === "_G" && this.lookup("_G") === undefined;
  }

  private writeGlobal(name: string, value: L.Expression | null): void {
    const list = this.result.globalWrites.get(name);
    if (list === undefined) this.result.globalWrites.set(name, [value]);
    else list.push(value);
  }

  /** The target of an assignment or of `function name()`. */
  private assign(target: L.Expression, value: L.Expression | null): void {
    if (target.type === "Identifier") {
      const b = this.lookup(target.name);
      if (b === undefined) return this.writeGlobal(target.name, value);
      b.reassigned = true;
      this.result.bindingOf.set(target, b);
      return;
    }
    if (target.type === "MemberExpression") {
      // _G.name = v defines the global `name`.
      if (this.isGlobalG(target.base)) this.writeGlobal(target.identifier.name, value);
      this.expression(target.base);
      return;
    }
    if (target.type === "IndexExpression") {
      if (this.isGlobalG(target.base)) {
        if (target.index.type === "StringLiteral") this.writeGlobal(target.index.value, value);
        else this.result.dynamicGlobals = true;
      }
      this.expression(target.base);
      this.expression(target.index);
      return;
    }
    this.expression(target);
  }

  private statement(s: L.Statement): void {
    switch (s.type) {
      case "LocalStatement":
        // `local x = x`: the right side is resolved before the new local exists.
        for (const e of s.init) this.expression(e);
        s.variables.forEach((v, i) => this.declareLocal(v, s.init[i] ?? null));
        return;
      case "AssignmentStatement":
        for (const e of s.init) this.expression(e);
        s.variables.forEach((v, i) => this.assign(v, s.init[i] ?? null));
        return;
      case "CallStatement":
        return this.expression(s.expression);
      case "FunctionDeclaration":
        if (s.isLocal && s.identifier?.type === "Identifier") {
          // `local function f` declares f before the body, so f can call itself.
          this.declareLocal(s.identifier, s);
        } else if (s.identifier !== null) {
          this.assign(s.identifier, s);
        }
        return this.functionBody(s);
      case "ReturnStatement":
        for (const e of s.arguments) this.expression(e);
        return;
      case "IfStatement":
        for (const c of s.clauses) {
          if (c.type !== "ElseClause") this.expression(c.condition);
          this.block(c.body);
        }
        return;
      case "WhileStatement":
        this.expression(s.condition);
        return this.block(s.body);
      case "DoStatement":
        return this.block(s.body);
      case "RepeatStatement":
        // The condition of repeat-until sees the body's locals (manual §2.4.4).
        this.scopes.push(new Map());
        for (const b of s.body) this.statement(b);
        this.expression(s.condition);
        this.scopes.pop();
        return;
      case "ForNumericStatement":
        this.expression(s.start);
        this.expression(s.end);
        if (s.step !== null) this.expression(s.step);
        this.scopes.push(new Map());
        this.declareLocal(s.variable, null);
        this.block(s.body);
        this.scopes.pop();
        return;
      case "ForGenericStatement":
        for (const e of s.iterators) this.expression(e);
        this.scopes.push(new Map());
        for (const v of s.variables) this.declareLocal(v, null);
        this.block(s.body);
        this.scopes.pop();
        return;
      default:
        // Labels, goto and break name no variables.
        return;
    }
  }

  private functionBody(fn: L.FunctionDeclaration): void {
    this.scopes.push(new Map());
    const id = fn.identifier;
    if (id !== null && id.type === "MemberExpression" && id.indexer === ":") {
      this.scopes[this.scopes.length - 1].set("self", {
        name: "self",
        decl: null,
        init: null,
        reassigned: false,
      });
    }
    for (const p of fn.parameters) if (p.type === "Identifier") this.declareLocal(p, null);
    this.block(fn.body);
    this.scopes.pop();
  }

  private expression(e: L.Expression): void {
    switch (e.type) {
      case "Identifier": {
        const b = this.lookup(e.name);
        if (b === undefined) this.result.globalReads.push(e);
        else this.result.bindingOf.set(e, b);
        return;
      }
      case "MemberExpression":
        return this.expression(e.base);
      case "IndexExpression":
        this.expression(e.base);
        return this.expression(e.index);
      case "CallExpression":
        this.noteDynamicGlobals(e.base, e.arguments);
        this.expression(e.base);
        for (const a of e.arguments) this.expression(a);
        return;
      case "TableCallExpression":
        this.expression(e.base);
        return this.expression(e.arguments);
      case "StringCallExpression":
        this.noteDynamicGlobals(e.base, []);
        return this.expression(e.base);
      case "FunctionDeclaration":
        return this.functionBody(e);
      case "TableConstructorExpression":
        for (const f of e.fields) {
          if (f.type === "TableKey") this.expression(f.key);
          this.expression(f.value);
        }
        return;
      case "BinaryExpression":
      case "LogicalExpression":
        this.expression(e.left);
        return this.expression(e.right);
      case "UnaryExpression":
        return this.expression(e.argument);
      default:
        return;
    }
  }

  /** `rawset(_G, "x", v)` defines x; `setfenv`, `module` and computed rawset keys make globals unknowable. */
  private noteDynamicGlobals(callee: L.Expression, args: L.Expression[]): void {
    if (callee.type !== "Identifier" || this.lookup(callee.name) !== undefined) return;
    if (callee.name === "setfenv" || callee.name === "module") this.result.dynamicGlobals = true;
    if (callee.name === "rawset" && args.length >= 2 && this.isGlobalG(args[0])) {
      if (args[1].type === "StringLiteral") this.writeGlobal(args[1].value, args[2] ?? null);
      else this.result.dynamicGlobals = true;
    }
    if (callee.name === "setmetatable" && args.length >= 1 && this.isGlobalG(args[0])) {
      this.result.dynamicGlobals = true;
    }
  }
}
