// Static checks of rover.guard usage (ROVER_API.md §5.1): validator chains rooted at
// `rover.guard` or a local alias of it (`local g = rover.guard`), and schema tables passed to
// `:expect(...)`, `rover.guard(data, schema)` and `g:object(schema)`. Takes one resolved
// chunk, returns diagnostics. Values the checker cannot see (calls, globals) are trusted.
import type * as L from "../lua-ast.ts";
import type { SourceFile } from "../source.ts";
import type { Resolution } from "./globals.ts";
import {
  siteOf,
  guardDotCall,
  guardEnumNotTable,
  guardNotSchema,
  guardNotValidator,
  luaText,
  unknownGuardMethod,
  type CheckDiagnostic,
} from "./check-messages.ts";

const CONSTRUCTORS = new Set(["string", "number", "integer", "boolean", "array", "object"]);
const MODIFIERS = new Set(["required", "default", "enum", "nullable"]);
/** Constructors that take an argument: the dot form shifts it into self (§5.1). */
const ARGUMENT_CONSTRUCTORS = new Set(["array", "object"]);
/**
 * Guard functions that are not validator constructors (§5.1): `g.validate(fn)`, and
 * `g:extend{...}`, whose result is a guard with methods the checker cannot know.
 */
const GUARD_FUNCTIONS = new Set(["validate", "extend"]);
/** Aliases are followed this many steps (`local g = rover.guard; local h = g`). */
const MAX_ALIAS_DEPTH = 8;

interface ChainCall {
  name: L.Identifier;
  indexer: "." | ":";
  args: L.Expression[];
  node: L.AnyCall;
}

type Kind = "validator" | "not" | "unknown";

function argsOf(c: L.AnyCall): L.Expression[] {
  if (c.type === "CallExpression") return c.arguments;
  if (c.type === "TableCallExpression") return [c.arguments];
  return [c.argument];
}

function isCall(e: L.Expression): e is L.AnyCall {
  return e.type === "CallExpression" || e.type === "TableCallExpression" || e.type === "StringCallExpression";
}

function isLiteral(e: L.Expression): boolean {
  return (
    e.type === "StringLiteral" ||
    e.type === "NumericLiteral" ||
    e.type === "BooleanLiteral" ||
    e.type === "NilLiteral" ||
    e.type === "FunctionDeclaration" ||
    e.type === "BinaryExpression" ||
    e.type === "UnaryExpression"
  );
}

/** `a:b():c(x)` → root `a` and the calls innermost first; null when `e` is not such a chain. */
function unwind(e: L.Expression): { root: L.Expression; calls: ChainCall[] } | null {
  const calls: ChainCall[] = [];
  let cur = e;
  while (isCall(cur) && cur.base.type === "MemberExpression") {
    calls.push({ name: cur.base.identifier, indexer: cur.base.indexer, args: argsOf(cur), node: cur });
    cur = cur.base.base;
  }
  return calls.length === 0 ? null : { root: cur, calls: calls.reverse() };
}

class GuardChecker {
  readonly diagnostics: CheckDiagnostic[] = [];
  private readonly handled = new Set<L.Node>();
  private readonly schemas = new Set<L.TableConstructorExpression>();
  private readonly file: SourceFile;
  private readonly scopes: Resolution;
  private readonly globalWrites: Map<string, (L.Expression | null)[]>;

  constructor(file: SourceFile, scopes: Resolution, globalWrites: Map<string, (L.Expression | null)[]>) {
    this.file = file;
    this.scopes = scopes;
    this.globalWrites = globalWrites;
  }

  /** The value a local was declared with, when it is never reassigned. */
  private initOf(id: L.Identifier): L.Expression | null {
    const b = this.scopes.bindingOf.get(id);
    return b !== undefined && !b.reassigned ? b.init : null;
  }

  /** `rover.guard`, or a local or global that only ever holds it. */
  isGuard(e: L.Expression, depth = 0): boolean {
    if (depth > MAX_ALIAS_DEPTH) return false;
    if (e.type === "MemberExpression") {
      return (
        e.indexer === "." &&
        e.identifier.name === "guard" &&
        e.base.type === "Identifier" &&
        e.base.name === "rover" &&
        !this.scopes.bindingOf.has(e.base)
      );
    }
    if (e.type !== "Identifier") return false;
    if (this.scopes.bindingOf.has(e)) {
      const init = this.initOf(e);
      return init !== null && this.isGuard(init, depth + 1);
    }
    const writes = this.globalWrites.get(e.name);
    return writes !== undefined && writes.every((w) => w !== null && this.isGuard(w, depth + 1));
  }

  /** What an expression evaluates to, as far as a schema field is concerned. */
  classify(e: L.Expression, depth = 0): Kind {
    if (depth > MAX_ALIAS_DEPTH) return "unknown";
    if (isLiteral(e)) return "not";
    if (e.type === "TableConstructorExpression") {
      // Hand-built validators (`{ type = "string", required = true }`) are what upstream's tests use.
      const typed = e.fields.some(
        (f) =>
          (f.type === "TableKeyString" && f.key.name === "type") ||
          (f.type === "TableKey" && f.key.type === "StringLiteral" && f.key.value === "type"),
      );
      return typed ? "validator" : "not";
    }
    if (e.type === "Identifier") {
      if (this.isGuard(e)) return "not";
      const init = this.scopes.bindingOf.has(e) ? this.initOf(e) : null;
      return init === null ? "unknown" : this.classify(init, depth + 1);
    }
    if (this.isGuard(e)) return "not";
    const chain = unwind(e);
    if (chain === null) return "unknown";
    if (this.isGuard(chain.root)) return GUARD_FUNCTIONS.has(chain.calls[0].name.name) ? "not" : "validator";
    return this.classify(chain.root, depth + 1) === "validator" ? "validator" : "unknown";
  }

  // Walks every node; each call is looked at once, outermost first.
  visit(n: any): void {
    if (n === null || typeof n !== "object") return;
    if (Array.isArray(n)) {
      for (const x of n) this.visit(x);
      return;
    }
    if (typeof n.type === "string" && isCall(n) && !this.handled.has(n)) this.call(n);
    for (const k in n) if (k !== "loc" && k !== "range") this.visit(n[k]);
  }

  private call(c: L.AnyCall): void {
    const args = argsOf(c);
    // body:expect(schema)
    if (c.base.type === "MemberExpression" && c.base.indexer === ":" && c.base.identifier.name === "expect") {
      if (args.length > 0) this.schemaArgument(args[0], "expect(...)");
    }
    // rover.guard(data, schema)
    if (this.isGuard(c.base) && args.length >= 2) this.schemaArgument(args[1], "rover.guard(data, schema)");
    const chain = unwind(c);
    if (chain === null) return;
    if (this.isGuard(chain.root)) {
      for (const call of chain.calls) this.handled.add(call.node);
      this.chain(chain.calls, true);
    } else if (chain.root.type === "Identifier" && this.classify(chain.root) === "validator") {
      // local v = g:string(); v:required()
      for (const call of chain.calls) this.handled.add(call.node);
      this.chain(chain.calls, false);
    }
  }

  private chain(calls: ChainCall[], fromGuard: boolean): void {
    let rest = calls;
    if (fromGuard) {
      const ctor = calls[0];
      const name = ctor.name.name;
      if (GUARD_FUNCTIONS.has(name)) return;
      if (!CONSTRUCTORS.has(name)) {
        this.diagnostics.push(unknownGuardMethod(luaText(name), "constructor", siteOf(this.file, ctor.name)));
        return;
      }
      if (ARGUMENT_CONSTRUCTORS.has(name) && ctor.indexer === ".") {
        this.diagnostics.push(guardDotCall(name, siteOf(this.file, ctor.name)));
      }
      if (name === "array") {
        const element = ctor.args[0];
        if (element === undefined) {
          this.diagnostics.push(guardNotValidator("The element of g:array()", siteOf(this.file, ctor.name)));
        } else if (ctor.indexer === ":" && this.classify(element) === "not") {
          this.diagnostics.push(guardNotValidator("The element of g:array(...)", siteOf(this.file, element)));
        }
      }
      if (name === "object") {
        const schema = ctor.args[0];
        if (schema === undefined)
          this.diagnostics.push(guardNotSchema("g:object(...)", siteOf(this.file, ctor.name)));
        else if (ctor.indexer === ":") this.schemaArgument(schema, "g:object(...)");
      }
      rest = calls.slice(1);
    }
    for (const m of rest) {
      const name = m.name.name;
      if (!MODIFIERS.has(name)) {
        this.diagnostics.push(unknownGuardMethod(luaText(name), "modifier", siteOf(this.file, m.name)));
        return;
      }
      if (m.indexer === ".") this.diagnostics.push(guardDotCall(name, siteOf(this.file, m.name)));
      if (name === "enum") this.enumArgument(m);
    }
  }

  private enumArgument(m: ChainCall): void {
    const arg = m.args[0];
    if (arg === undefined) {
      this.diagnostics.push(guardEnumNotTable(siteOf(this.file, m.name)));
      return;
    }
    if (this.tableKind(arg) === "not") this.diagnostics.push(guardEnumNotTable(siteOf(this.file, arg)));
  }

  /** Whether `e` is a table: "validator" standing for yes here. */
  private tableKind(e: L.Expression, depth = 0): Kind {
    if (e.type === "TableConstructorExpression") return "validator";
    if (isLiteral(e)) return "not";
    if (e.type === "Identifier" && this.scopes.bindingOf.has(e) && depth < MAX_ALIAS_DEPTH) {
      const init = this.initOf(e);
      return init === null ? "unknown" : this.tableKind(init, depth + 1);
    }
    return "unknown";
  }

  /** The schema given to expect, rover.guard or g:object: a table of field → validator. */
  private schemaArgument(arg: L.Expression, callee: string): void {
    let table: L.Expression | null = arg;
    for (let i = 0; table !== null && table.type === "Identifier" && i < MAX_ALIAS_DEPTH; i++) {
      table = this.scopes.bindingOf.has(table) ? this.initOf(table) : null;
    }
    if (table === null) return;
    if (table.type === "TableConstructorExpression") return this.schema(table);
    if (isLiteral(table)) this.diagnostics.push(guardNotSchema(callee, siteOf(this.file, arg)));
  }

  private schema(t: L.TableConstructorExpression): void {
    if (this.schemas.has(t)) return;
    this.schemas.add(t);
    for (const f of t.fields) {
      let name: string;
      if (f.type === "TableKeyString") name = f.key.name;
      else if (f.type === "TableKey" && f.key.type === "StringLiteral") name = f.key.value;
      else continue;
      if (this.classify(f.value) === "not") {
        this.diagnostics.push(guardNotValidator(`Field '${luaText(name)}'`, siteOf(this.file, f.value)));
      }
    }
  }
}

/**
 * Checks guard chains and schema literals in one file.
 * @param globalWrites every global assignment in the app, so `g = rover.guard` in one file counts.
 */
export function checkGuards(
  file: SourceFile,
  chunk: L.Chunk,
  scopes: Resolution,
  globalWrites: Map<string, (L.Expression | null)[]>,
): CheckDiagnostic[] {
  const checker = new GuardChecker(file, scopes, globalWrites);
  checker.visit(chunk.body);
  return checker.diagnostics;
}
