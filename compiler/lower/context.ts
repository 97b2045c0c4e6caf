// The state the lowering pass carries: the source, the runtime helpers used so far, and a
// stack of function and block scopes that give each Lua local its JS name. Lua allows
// `local x = x` and redeclaring a local in one block; JS `let` does not, so a local whose
// name is already visible gets a fresh `name$N` here, once.
import type { SourceFile } from "../source.ts";
import { type Diagnostic, diagnostic } from "../diagnostics.ts";
import { id, breakStmt, labeled, type JsNode } from "./builders.ts";
import type { Position } from "../lua-ast.ts";

export interface Binding {
  luaName: string;
  jsName: string;
  fn: FunctionState;
  /** True for numeric-for control variables the body never assigns: known to hold a number. */
  isNumber: boolean;
}

export class Scope {
  readonly parent: Scope | null;
  readonly fn: FunctionState;
  readonly vars = new Map<string, Binding>();
  /** Every JS name declared in this block, shadowed ones too (`local x` twice): JS forbids reuse. */
  readonly jsNames = new Set<string>();
  constructor(parent: Scope | null, fn: FunctionState) {
    this.parent = parent;
    this.fn = fn;
  }
}

export class FunctionState {
  readonly parent: FunctionState | null;
  readonly hasVararg: boolean;
  tempCount = 0;
  constructor(parent: FunctionState | null, hasVararg: boolean) {
    this.parent = parent;
    this.hasVararg = hasVararg;
  }
  /** A function-level temporary, declared at the top of the JS function. */
  temp(): JsNode {
    return id("$t" + ++this.tempCount);
  }
}

const JS_RESERVED = new Set(
  (
    "arguments await break case catch class const continue debugger default delete do else enum eval export " +
    "extends false finally for function if implements import in instanceof interface let new null package " +
    "private protected public return static super switch this throw true try typeof var void while with yield " +
    "undefined NaN Infinity globalThis"
  ).split(" "),
);

interface LoopEntry {
  label: string;
  synthetic: boolean;
  used: boolean;
}

export interface LabelEntry {
  name: string;
  /** Index of the label statement in its block, and the block's cursor (statement being lowered). */
  index: number;
  block: { cursor: number };
  forwardLabel: string;
  backwardLabel: string;
}

export interface FunctionSaved {
  loops: LoopEntry[];
  labels: LabelEntry[];
}

export class LowerContext {
  readonly src: SourceFile;
  readonly diagnostics: Diagnostic[] = [];
  readonly helpers = new Set<string>();
  /** Emit a `// chunk:line` comment above each statement (rover inspect). */
  readonly lineComments: boolean;
  scope: Scope;
  private renameCounter = 0;
  private readonly declared = new Map<string, Binding>();
  private nameCounter = 0;
  /** Enclosing JS loops: Lua loops, and the synthetic loops that backward gotos create. */
  private loops: LoopEntry[] = [];
  /** Visible goto labels, innermost block last (see gotos.ts). */
  labels: LabelEntry[] = [];

  /** The app uses coroutines: every function also gets a generator version (functions.ts). */
  readonly coroutines: boolean;
  /** Lowering the generator version of a function now: calls become `yield* $gcall(...)`. */
  genMode = false;
  /** Declarations of locals that always hold numbers (analyse/numeric.ts). */
  numericLocals: Set<object> = new Set();
  /** Range keys of the table constructors that get a JSON serializer (aot/json-shape.ts). */
  responseTables: Set<string> = new Set();

  constructor(src: SourceFile, lineComments: boolean, coroutines = false) {
    this.src = src;
    this.lineComments = lineComments;
    this.coroutines = coroutines;
    this.scope = new Scope(null, new FunctionState(null, true));
  }

  /** A reference to a runtime helper, imported into the module as `$name`. */
  helper(name: string): JsNode {
    this.helpers.add(name);
    return id("$" + name);
  }

  get fn(): FunctionState {
    return this.scope.fn;
  }

  /** How many state slots the chunk uses (declared in its main function as $slot1...). */
  slotCount = 0;

  /**
   * A variable of the chunk's main function that lives as long as the Lua state, for values
   * created once on first use (compiled validators, serializers). Named apart from the `$tN`
   * temporaries, which every nested function declares again (and so would shadow).
   */
  stateSlot(): JsNode {
    return id("$slot" + ++this.slotCount);
  }

  pushBlock(): void {
    this.scope = new Scope(this.scope, this.scope.fn);
  }

  pushFunction(hasVararg: boolean): FunctionState {
    const fn = new FunctionState(this.scope.fn, hasVararg);
    this.scope = new Scope(this.scope, fn);
    return fn;
  }

  pop(): void {
    this.scope = this.scope.parent!;
  }

  lookup(name: string): Binding | undefined {
    for (let s: Scope | null = this.scope; s !== null; s = s.parent) {
      const b = s.vars.get(name);
      if (b !== undefined) return b;
    }
    return undefined;
  }

  private jsNameVisible(jsName: string): boolean {
    for (let s: Scope | null = this.scope; s !== null; s = s.parent) if (s.jsNames.has(jsName)) return true;
    return false;
  }

  /** A module-unique generated name with the given `$` prefix. */
  uniqueName(prefix: string): string {
    return prefix + ++this.nameCounter;
  }

  /** Lowers a Lua loop; it gets a JS label only if a `break` had to name it. */
  loop(lower: () => JsNode): JsNode {
    const entry = { label: this.uniqueName("$loop"), synthetic: false, used: false };
    this.loops.push(entry);
    const node = lower();
    this.loops.pop();
    return entry.used ? labeled(entry.label, node) : node;
  }

  /** A synthetic JS loop (backward goto) that Lua `break` must jump over. */
  syntheticLoop<T>(lower: () => T): T {
    this.loops.push({ label: "", synthetic: true, used: false });
    const node = lower();
    this.loops.pop();
    return node;
  }

  /** The label a `break` of the innermost Lua loop needs, or undefined when a plain break works. */
  currentLoopLabel(): string | undefined {
    for (let i = this.loops.length - 1; i >= 0; i--) {
      const l = this.loops[i];
      if (!l.synthetic) return i === this.loops.length - 1 ? undefined : ((l.used = true), l.label);
    }
    return undefined;
  }

  breakLoop(from: { loc: { start: Position; end: Position } }): JsNode {
    if (!this.loops.some((l) => !l.synthetic)) {
      this.error("break_outside_loop", "no loop to break", from.loc.start);
    }
    return breakStmt(this.currentLoopLabel(), from);
  }

  /** Loops and labels do not cross function boundaries: each function starts with none. */
  swapFunctionState(saved: FunctionSaved | null): FunctionSaved {
    const current = { loops: this.loops, labels: this.labels };
    this.loops = saved?.loops ?? [];
    this.labels = saved?.labels ?? [];
    return current;
  }

  error(code: string, message: string, at: Position): void {
    // Functions are lowered twice in coroutine apps: report each problem once.
    if (this.diagnostics.some((d) => d.code === code && d.line === at.line && d.column === at.column + 1))
      return;
    this.diagnostics.push(diagnostic(code, message, this.src, at.line, at.column + 1));
  }

  /** Declares a Lua local in the current block and returns its binding. */
  /**
   * `decl`: the declaring identifier, so later code can find this binding by the identifier's
   * source range (visibleBindingOf), also from another parse of the same source.
   */
  declare(luaName: string, isNumber = false, decl?: { range: [number, number] }): Binding {
    let jsName = JS_RESERVED.has(luaName) ? luaName + "$" : luaName;
    if (this.jsNameVisible(jsName)) jsName = luaName + "$" + ++this.renameCounter;
    const b: Binding = { luaName, jsName, fn: this.scope.fn, isNumber };
    this.scope.vars.set(luaName, b);
    this.scope.jsNames.add(jsName);
    if (decl !== undefined) this.declared.set(decl.range[0] + ":" + decl.range[1], b);
    return b;
  }

  /** The binding a local declaration made, when it is the one `luaName` names here (not shadowed). */
  visibleBindingOf(decl: { range: [number, number] }): Binding | undefined {
    const b = this.declared.get(decl.range[0] + ":" + decl.range[1]);
    return b !== undefined && this.lookup(b.luaName) === b ? b : undefined;
  }
}
