// HTML templates (ROVER_API.md §3.9): `rover.html(data) [[...]]` and `api.html(data) [[...]]`.
// Text outside {{ }} is literal; {{ expr }} inserts tostring(expr) without escaping; the
// control tags are `if c then`, `elseif c then`, `else`, `end`, `for ... do`. Rover has no
// run-time Lua compiler (no loadstring), so template expressions are parsed here into a small
// tree and interpreted with the runtime's own operators: names, literals, field and index
// access, calls and method calls (with (), {} and string arguments), table constructors,
// and every Lua operator. Parsed templates are cached by their text.
import { LuaTable } from "../lua/table.ts";
import type { LuaValue } from "../lua/value.ts";
import { LuaError, errorValue } from "../lua/errors.ts";
import { first, spread } from "../lua/multi.ts";
import * as ops from "../lua/ops.ts";
import { tostring } from "../lua/tostring.ts";
import { stringToNumber } from "../lua/number.ts";
import { guardIssues } from "./guard-error.ts";
import { httpErrorInfo } from "./http-error.ts";

// ---------------------------------------------------------------- tree

type Expr =
  | { k: "lit"; v: LuaValue }
  | { k: "name"; n: string }
  | { k: "index"; o: Expr; key: Expr }
  | { k: "call"; f: Expr; args: Expr[] }
  | { k: "method"; o: Expr; name: string; args: Expr[] }
  | { k: "bin"; op: string; a: Expr; b: Expr }
  | { k: "un"; op: string; a: Expr }
  | { k: "table"; items: { key: Expr | null; value: Expr }[] };

type Node =
  | { k: "text"; s: string }
  | { k: "out"; e: Expr }
  | { k: "if"; branches: { cond: Expr | null; body: Node[] }[] }
  | { k: "fornum"; v: string; start: Expr; limit: Expr; step: Expr | null; body: Node[] }
  | { k: "forin"; names: string[]; exprs: Expr[]; body: Node[] };

class TemplateSyntaxError extends Error {}

// ---------------------------------------------------------------- expression parser

// Numbers (hex first: "0x10" is one token), names, quoted strings, long strings, operators.
const TOKEN =
  /\s*(?:(0[xX][0-9a-fA-F]*(?:\.[0-9a-fA-F]*)?(?:[pP][+-]?\d+)?|\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|("(?:[^"\\\n]|\\z\s*|\\[\s\S])*"|'(?:[^'\\\n]|\\z\s*|\\[\s\S])*')|(\[(=*)\[[\s\S]*?\]\5\])|(\.\.\.|\.\.|==|~=|<=|>=|[-+*/%^#<>=(){}[\];:,.]))/y;

/** A comment: `--[==[ ... ]==]` or `--` to the end of the line. */
const COMMENT = /\s*--(?:\[(=*)\[[\s\S]*?\]\1\]|[^\n]*)/y;

interface Token {
  t: "num" | "name" | "str" | "op" | "eof";
  v: string;
}

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let pos = 0;
  while (pos < src.length) {
    if (/^\s*$/.test(src.slice(pos))) break;
    COMMENT.lastIndex = pos;
    if (COMMENT.exec(src) !== null) {
      pos = COMMENT.lastIndex;
      continue;
    }
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(src);
    if (m === null)
      throw new TemplateSyntaxError("unexpected symbol near '" + src.slice(pos).trim()[0] + "'");
    pos = TOKEN.lastIndex;
    if (m[1] !== undefined) out.push({ t: "num", v: m[1] });
    else if (m[2] !== undefined) out.push({ t: "name", v: m[2] });
    else if (m[3] !== undefined) out.push({ t: "str", v: unescape(m[3].slice(1, -1)) });
    else if (m[4] !== undefined) {
      const level = m[5].length + 2;
      out.push({ t: "str", v: m[4].slice(level, -level).replace(/^\r?\n/, "") });
    } else out.push({ t: "op", v: m[6] });
  }
  out.push({ t: "eof", v: "<eof>" });
  return out;
}

const ESCAPES: Record<string, string> = {
  n: "\n",
  t: "\t",
  r: "\r",
  '"': '"',
  "'": "'",
  "\\": "\\",
  a: "\x07",
  b: "\b",
  f: "\f",
  v: "\v",
};

/** Lua's escapes in a quoted string: letters, \ddd, \xXX, \z, \u{XXX}, an escaped newline. */
function unescape(s: string): string {
  return s.replace(/\\(\d{1,3}|x[0-9a-fA-F]{2}|z\s*|u\{[0-9a-fA-F]+\}|\r\n|\n\r|[\s\S])/g, (_, c: string) => {
    if (/^\d/.test(c)) {
      if (Number(c) > 255) throw new TemplateSyntaxError("decimal escape too large near '\\" + c + "'");
      return String.fromCharCode(Number(c));
    }
    if (c[0] === "x" && c.length === 3) return String.fromCharCode(parseInt(c.slice(1), 16));
    if (c[0] === "z") return "";
    if (c[0] === "u" && c.length > 1) return utf8Bytes(parseInt(c.slice(2, -1), 16));
    if (c === "\n" || c === "\r" || c === "\r\n" || c === "\n\r") return "\n";
    const e = ESCAPES[c];
    if (e === undefined) throw new TemplateSyntaxError("invalid escape sequence '\\" + c + "'");
    return e;
  });
}

/** A code point as the bytes of its UTF-8 form (Lua strings are bytes). */
function utf8Bytes(cp: number): string {
  if (cp > 0x7fffffff) throw new TemplateSyntaxError("UTF-8 value too large");
  if (cp < 0x80) return String.fromCharCode(cp);
  if (cp <= 0x10ffff) return Buffer.from(String.fromCodePoint(cp), "utf8").toString("latin1");
  throw new TemplateSyntaxError("UTF-8 value too large");
}

const BINARY: Record<string, [number, number]> = {
  or: [1, 1],
  and: [2, 2],
  "<": [3, 3],
  ">": [3, 3],
  "<=": [3, 3],
  ">=": [3, 3],
  "~=": [3, 3],
  "==": [3, 3],
  "..": [5, 4], // right associative
  "+": [6, 6],
  "-": [6, 6],
  "*": [7, 7],
  "/": [7, 7],
  "%": [7, 7],
  "^": [10, 9], // right associative, above unary
};
const UNARY_PRIORITY = 8;

/** Lua's reserved words: never a name, so `{{ break }}` is a syntax error, as in Lua. */
const RESERVED = new Set(
  "and break do else elseif end false for function goto if in local nil not or repeat return then true until while".split(
    " ",
  ),
);

class Parser {
  private toks: Token[];
  private i = 0;
  constructor(src: string) {
    this.toks = tokenize(src);
  }
  peek(): Token {
    return this.toks[this.i];
  }
  next(): Token {
    return this.toks[this.i++];
  }
  isOp(v: string): boolean {
    const t = this.peek();
    return (t.t === "op" || t.t === "name") && t.v === v;
  }
  accept(v: string): boolean {
    if (this.isOp(v)) {
      this.i++;
      return true;
    }
    return false;
  }
  expect(v: string): void {
    if (!this.accept(v)) throw new TemplateSyntaxError("'" + v + "' expected near '" + this.peek().v + "'");
  }
  name(): string {
    const t = this.next();
    if (t.t !== "name" || RESERVED.has(t.v))
      throw new TemplateSyntaxError("<name> expected near '" + t.v + "'");
    return t.v;
  }
  atEnd(): boolean {
    return this.peek().t === "eof";
  }
  end(): void {
    if (!this.atEnd()) throw new TemplateSyntaxError("unexpected symbol near '" + this.peek().v + "'");
  }

  exprList(): Expr[] {
    const out = [this.expr(0)];
    while (this.accept(",")) out.push(this.expr(0));
    return out;
  }

  expr(limit: number): Expr {
    let left: Expr;
    const t = this.peek();
    if ((t.t === "name" && t.v === "not") || (t.t === "op" && (t.v === "-" || t.v === "#"))) {
      this.i++;
      left = { k: "un", op: t.v, a: this.expr(UNARY_PRIORITY) };
    } else {
      left = this.simple();
    }
    for (;;) {
      const op = this.peek();
      const prio =
        (op.t === "op" || op.t === "name") && Object.hasOwn(BINARY, op.v) ? BINARY[op.v] : undefined;
      if (prio === undefined || prio[0] <= limit) return left;
      this.i++;
      left = { k: "bin", op: op.v, a: left, b: this.expr(prio[1]) };
    }
  }

  simple(): Expr {
    const t = this.peek();
    if (t.t === "num") {
      this.i++;
      const n = stringToNumber(t.v);
      if (n === undefined) throw new TemplateSyntaxError("malformed number near '" + t.v + "'");
      return { k: "lit", v: n };
    }
    if (t.t === "str") {
      this.i++;
      return { k: "lit", v: t.v };
    }
    if (t.t === "name" && (t.v === "nil" || t.v === "true" || t.v === "false")) {
      this.i++;
      return { k: "lit", v: t.v === "nil" ? undefined : t.v === "true" };
    }
    if (this.isOp("{")) return this.table();
    return this.suffixed();
  }

  suffixed(): Expr {
    let e: Expr;
    if (this.accept("(")) {
      e = this.expr(0);
      this.expect(")");
    } else {
      const t = this.peek();
      if (t.t !== "name" || RESERVED.has(t.v))
        throw new TemplateSyntaxError("unexpected symbol near '" + t.v + "'");
      e = { k: "name", n: this.name() };
    }
    for (;;) {
      if (this.accept(".")) e = { k: "index", o: e, key: { k: "lit", v: this.name() } };
      else if (this.accept("[")) {
        const key = this.expr(0);
        this.expect("]");
        e = { k: "index", o: e, key };
      } else if (this.accept(":")) {
        const name = this.name();
        e = { k: "method", o: e, name, args: this.args() };
      } else if (this.isOp("(") || this.isOp("{") || this.peek().t === "str") {
        e = { k: "call", f: e, args: this.args() };
      } else return e;
    }
  }

  args(): Expr[] {
    if (this.peek().t === "str") return [{ k: "lit", v: this.next().v }];
    if (this.isOp("{")) return [this.table()];
    this.expect("(");
    if (this.accept(")")) return [];
    const list = this.exprList();
    this.expect(")");
    return list;
  }

  table(): Expr {
    this.expect("{");
    const items: { key: Expr | null; value: Expr }[] = [];
    while (!this.accept("}")) {
      if (this.accept("[")) {
        const key = this.expr(0);
        this.expect("]");
        this.expect("=");
        items.push({ key, value: this.expr(0) });
      } else if (
        this.peek().t === "name" &&
        this.toks[this.i + 1].v === "=" &&
        this.toks[this.i + 1].t === "op"
      ) {
        const key: Expr = { k: "lit", v: this.name() };
        this.i++;
        items.push({ key, value: this.expr(0) });
      } else {
        items.push({ key: null, value: this.expr(0) });
      }
      if (!this.accept(",") && !this.accept(";")) {
        this.expect("}");
        break;
      }
    }
    return { k: "table", items };
  }
}

// ---------------------------------------------------------------- template parser

type Tag =
  | { k: "expr"; e: Expr }
  | { k: "if"; cond: Expr }
  | { k: "elseif"; cond: Expr }
  | { k: "else" }
  | { k: "end" }
  | { k: "for"; node: Node };

function parseTag(src: string): Tag {
  const s = src.trim();
  const word = /^[A-Za-z_]+/.exec(s)?.[0];
  if (word === "if" || word === "elseif") {
    const m = /^(?:if|elseif)\s([\s\S]*)\sthen$/.exec(s);
    if (m === null) throw new TemplateSyntaxError("'then' expected in '" + s + "'");
    return { k: word, cond: parseExpr(m[1]) };
  }
  if (s === "else" || s === "end") return { k: s };
  if (word === "for") {
    const m = /^for\s([\s\S]*)\sdo$/.exec(s);
    if (m === null) throw new TemplateSyntaxError("'do' expected in '" + s + "'");
    const p = new Parser(m[1]);
    const names = [p.name()];
    if (p.accept("=")) {
      const start = p.expr(0);
      p.expect(",");
      const limit = p.expr(0);
      const step = p.accept(",") ? p.expr(0) : null;
      p.end();
      return { k: "for", node: { k: "fornum", v: names[0], start, limit, step, body: [] } };
    }
    while (p.accept(",")) names.push(p.name());
    p.expect("in");
    const exprs = p.exprList();
    p.end();
    return { k: "for", node: { k: "forin", names, exprs, body: [] } };
  }
  return { k: "expr", e: parseExpr(s) };
}

function parseExpr(src: string): Expr {
  const p = new Parser(src);
  const e = p.expr(0);
  p.end();
  return e;
}

export function parseTemplate(src: string): Node[] {
  const root: Node[] = [];
  // Open blocks: the node list being filled and the if/for node that owns it.
  const stack: { body: Node[]; owner: Node | null }[] = [{ body: root, owner: null }];
  let pos = 0;
  for (;;) {
    const open = src.indexOf("{{", pos);
    const close = open < 0 ? -1 : src.indexOf("}}", open + 2);
    if (open < 0 || close < 0) {
      // An unclosed {{ is literal text.
      if (pos < src.length) stack[stack.length - 1].body.push({ k: "text", s: src.slice(pos) });
      break;
    }
    if (open > pos) stack[stack.length - 1].body.push({ k: "text", s: src.slice(pos, open) });
    const tag = parseTag(src.slice(open + 2, close));
    pos = close + 2;
    const top = stack[stack.length - 1];
    switch (tag.k) {
      case "expr":
        top.body.push({ k: "out", e: tag.e });
        break;
      case "if": {
        const node: Node = { k: "if", branches: [{ cond: tag.cond, body: [] }] };
        top.body.push(node);
        stack.push({ body: node.branches[0].body, owner: node });
        break;
      }
      case "elseif":
      case "else": {
        const owner = top.owner;
        if (owner === null || owner.k !== "if") throw new TemplateSyntaxError("'" + tag.k + "' without 'if'");
        if (owner.branches[owner.branches.length - 1].cond === null)
          throw new TemplateSyntaxError("'end' expected near '" + tag.k + "'");
        const branch = { cond: tag.k === "else" ? null : tag.cond, body: [] as Node[] };
        owner.branches.push(branch);
        top.body = branch.body;
        break;
      }
      case "for":
        top.body.push(tag.node);
        stack.push({ body: (tag.node as { body: Node[] }).body, owner: tag.node });
        break;
      case "end":
        if (stack.length === 1) throw new TemplateSyntaxError("'end' without 'if' or 'for'");
        stack.pop();
        break;
    }
  }
  if (stack.length > 1) throw new TemplateSyntaxError("'end' expected at the end of the template");
  return root;
}

// ---------------------------------------------------------------- evaluation

/** Name lookup: loop variables (innermost first), then the data table, then the base environment. */
class Scope {
  readonly vars: Map<string, LuaValue>;
  readonly parent: Scope | null;
  readonly data: LuaTable | undefined;
  readonly base: (name: string) => LuaValue;
  constructor(
    vars: Map<string, LuaValue>,
    parent: Scope | null,
    data: LuaTable | undefined,
    base: (name: string) => LuaValue,
  ) {
    this.vars = vars;
    this.parent = parent;
    this.data = data;
    this.base = base;
  }
  lookup(n: string): LuaValue {
    if (this.vars.has(n)) return this.vars.get(n);
    for (let s = this.parent; s !== null; s = s.parent) if (s.vars.has(n)) return s.vars.get(n);
    if (this.data !== undefined) {
      const v = this.data.get(n);
      if (v !== undefined) return v;
    }
    return this.base(n);
  }
}

function evalMulti(e: Expr, s: Scope): LuaValue[] {
  if (e.k === "call" || e.k === "method") return spread(evalCall(e, s));
  return [evalExpr(e, s)];
}

function evalList(list: Expr[], s: Scope): LuaValue[] {
  const out: LuaValue[] = [];
  for (let i = 0; i < list.length; i++) {
    if (i === list.length - 1) out.push(...evalMulti(list[i], s));
    else out.push(evalExpr(list[i], s));
  }
  return out;
}

function evalCall(e: Expr & { k: "call" | "method" }, s: Scope): unknown {
  if (e.k === "method") {
    const o = evalExpr(e.o, s);
    return ops.callMethod(o, e.name, ...evalList(e.args, s));
  }
  const f = evalExpr(e.f, s);
  return ops.callable(f, e.f.k === "name" ? "global '" + e.f.n + "'" : undefined)(...evalList(e.args, s));
}

function evalExpr(e: Expr, s: Scope): LuaValue {
  switch (e.k) {
    case "lit":
      return e.v;
    case "name":
      return s.lookup(e.n);
    case "index":
      return ops.index(
        evalExpr(e.o, s),
        evalExpr(e.key, s),
        e.o.k === "name" ? "global '" + e.o.n + "'" : undefined,
      );
    case "call":
    case "method":
      return first(evalCall(e, s));
    case "un": {
      const a = evalExpr(e.a, s);
      if (e.op === "not") return !ops.truthy(a);
      if (e.op === "-") return ops.unm(a);
      return ops.len(a);
    }
    case "bin": {
      if (e.op === "and") {
        const a = evalExpr(e.a, s);
        return ops.truthy(a) ? evalExpr(e.b, s) : a;
      }
      if (e.op === "or") {
        const a = evalExpr(e.a, s);
        return ops.truthy(a) ? a : evalExpr(e.b, s);
      }
      const a = evalExpr(e.a, s);
      const b = evalExpr(e.b, s);
      switch (e.op) {
        case "+":
          return ops.add(a, b);
        case "-":
          return ops.sub(a, b);
        case "*":
          return ops.mul(a, b);
        case "/":
          return ops.div(a, b);
        case "%":
          return ops.mod(a, b);
        case "^":
          return ops.pow(a, b);
        case "..":
          return ops.concat(a, b);
        case "==":
          return ops.eq(a, b);
        case "~=":
          return !ops.eq(a, b);
        case "<":
          return ops.lt(a, b);
        case "<=":
          return ops.le(a, b);
        case ">":
          return ops.gt(a, b);
        default:
          return ops.ge(a, b);
      }
    }
    case "table": {
      const t = new LuaTable();
      let n = 1;
      e.items.forEach((item, i) => {
        if (item.key !== null) t.set(evalExpr(item.key, s), evalExpr(item.value, s));
        else if (i === e.items.length - 1) for (const v of evalMulti(item.value, s)) t.setNum(n++, v);
        else t.setNum(n++, evalExpr(item.value, s));
      });
      return t;
    }
  }
}

function run(nodes: Node[], s: Scope, out: string[]): void {
  for (const node of nodes) {
    switch (node.k) {
      case "text":
        out.push(node.s);
        break;
      case "out":
        out.push(tostring(evalExpr(node.e, s)));
        break;
      case "if":
        for (const b of node.branches) {
          if (b.cond === null || ops.truthy(evalExpr(b.cond, s))) {
            run(b.body, s, out);
            break;
          }
        }
        break;
      case "fornum": {
        const start = ops.forNum(evalExpr(node.start, s), "initial");
        const limit = ops.forNum(evalExpr(node.limit, s), "limit");
        const step = node.step === null ? 1 : ops.forNum(evalExpr(node.step, s), "step");
        for (let i = start; step >= 0 ? i <= limit : i >= limit; i += step) {
          run(node.body, new Scope(new Map([[node.v, i]]), s, s.data, s.base), out);
        }
        break;
      }
      case "forin": {
        const [f, state, init] = evalList(node.exprs, s);
        const fn = ops.callable(f);
        let control = init;
        for (;;) {
          const values = spread(fn(state, control));
          if (values[0] === undefined) break;
          control = values[0];
          const vars = new Map<string, LuaValue>();
          node.names.forEach((n, i) => vars.set(n, values[i]));
          run(node.body, new Scope(vars, s, s.data, s.base), out);
        }
        break;
      }
    }
  }
}

// ---------------------------------------------------------------- entry point

const cache = new Map<string, Node[]>();
const CACHE_LIMIT = 512;

/**
 * Renders `template` with the names of `data` and the base environment `base`. Errors are Lua
 * errors "Template rendering failed: <error>".
 */
export function renderTemplate(
  template: string,
  data: LuaTable | undefined,
  base: (name: string) => LuaValue,
): string {
  let nodes = cache.get(template);
  try {
    if (nodes === undefined) {
      nodes = parseTemplate(template);
      if (cache.size < CACHE_LIMIT) cache.set(template, nodes);
    }
    const out: string[] = [];
    run(nodes, new Scope(new Map(), null, data, base), out);
    return out.join("");
  } catch (e) {
    // Guard errors and 4xx request errors keep their meaning (a 400, a 415...) through a template.
    if (e instanceof LuaError && (guardIssues(e.value) !== undefined || httpErrorInfo(e.value) !== undefined))
      throw e;
    const msg = e instanceof TemplateSyntaxError ? e.message : tostring(errorValue(e));
    throw new LuaError("Template rendering failed: " + msg);
  }
}
