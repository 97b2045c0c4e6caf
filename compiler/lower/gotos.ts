// goto and labels (LuaJIT). A forward goto becomes `break` out of a labeled JS block that
// ends where the label stands; a backward goto becomes `continue` of a labeled
// `while (true) { ...; break; }` that starts at the label. This covers the structured uses
// (continue, retry, breaking out of nested loops); a goto that jumps into the scope of a
// local, or to a missing label, is a compile error as in LuaJIT.
import type * as L from "../lua-ast.ts";
import * as b from "./builders.ts";
import type { JsNode } from "./builders.ts";
import type { LabelEntry, LowerContext } from "./context.ts";

interface Range {
  start: number;
  end: number;
  backward: boolean;
  wrap: (body: JsNode[]) => JsNode;
}

function containsGoto(node: any, name: string): boolean {
  if (node === null || typeof node !== "object") return false;
  if (Array.isArray(node)) return node.some((n) => containsGoto(n, name));
  if (node.type === "FunctionDeclaration") return false;
  if (node.type === "GotoStatement") return node.label.name === name;
  for (const k in node) if (k !== "loc" && k !== "range" && containsGoto(node[k], name)) return true;
  return false;
}

/** True when only labels follow index j: such a label is outside the scope of the block's locals. */
function atBlockEnd(stmts: L.Statement[], j: number): boolean {
  return stmts.slice(j + 1).every((s) => s.type === "LabelStatement");
}

function declaresLocal(s: L.Statement): string | null {
  if (s.type === "LocalStatement") return s.variables[0]?.name ?? null;
  if (s.type === "FunctionDeclaration" && s.isLocal && s.identifier?.type === "Identifier")
    return s.identifier.name;
  return null;
}

export function withLabels(
  stmts: L.Statement[],
  ctx: LowerContext,
  lower: (s: L.Statement) => JsNode[],
): JsNode[] {
  const labelIdx: number[] = [];
  stmts.forEach((s, i) => s.type === "LabelStatement" && labelIdx.push(i));
  if (labelIdx.length === 0) return stmts.flatMap(lower);

  const block = { cursor: 0 };
  const entries: LabelEntry[] = [];
  const ranges: Range[] = [];
  for (const j of labelIdx) {
    const name = (stmts[j] as L.LabelStatement).label.name;
    if (entries.some((e) => e.name === name)) {
      ctx.error("duplicate_label", `label '${name}' already defined`, stmts[j].loc.start);
    }
    const entry: LabelEntry = {
      name,
      index: j,
      block,
      forwardLabel: ctx.uniqueName("$fwd"),
      backwardLabel: ctx.uniqueName("$back"),
    };
    entries.push(entry);
    const first = stmts.findIndex((s, i) => i < j && containsGoto(s, name));
    if (first >= 0) {
      for (let k = first; k < j; k++) {
        const local = declaresLocal(stmts[k]);
        if (local !== null && !atBlockEnd(stmts, j)) {
          ctx.error(
            "goto_into_local_scope",
            `<goto ${name}> jumps into the scope of local '${local}'`,
            stmts[first].loc.start,
          );
        }
      }
      ranges.push({
        start: first,
        end: j - 1,
        backward: false,
        wrap: (body) => b.labeled(entry.forwardLabel, b.block(body)),
      });
    }
    if (stmts.some((s, i) => i > j && containsGoto(s, name))) {
      ranges.push({
        start: j + 1,
        end: stmts.length - 1,
        backward: true,
        wrap: (body) =>
          b.labeled(entry.backwardLabel, b.whileStmt(b.lit(true), b.block([...body, b.breakStmt()]))),
      });
    }
  }
  for (const r of ranges) {
    for (const o of ranges) {
      if (r !== o && r.start < o.start && o.start <= r.end && r.end < o.end) {
        ctx.error(
          "unsupported_goto",
          "this combination of goto jumps is not supported by Rover",
          stmts[o.start].loc.start,
        );
      }
    }
  }

  ctx.labels.push(...entries);
  const lowered: JsNode[][] = [];
  for (let i = 0; i < stmts.length; i++) {
    block.cursor = i;
    const s = stmts[i];
    // Inside a backward-goto loop, a Lua `break` must name its own loop to jump over ours.
    const inBackward = ranges.some((r) => r.backward && r.start <= i && i <= r.end);
    lowered.push(inBackward ? ctx.syntheticLoop(() => lower(s)) : lower(s));
  }
  ctx.labels.splice(ctx.labels.length - entries.length, entries.length);
  return compose(0, stmts.length - 1, ranges, lowered);
}

function compose(from: number, to: number, ranges: Range[], lowered: JsNode[][]): JsNode[] {
  const out: JsNode[] = [];
  let i = from;
  while (i <= to) {
    const here = ranges.filter((r) => r.start === i && r.end <= to).sort((x, y) => y.end - x.end)[0];
    if (here === undefined) {
      out.push(...lowered[i]);
      i++;
      continue;
    }
    const inner = ranges.filter((r) => r !== here);
    out.push(here.wrap(compose(here.start, here.end, inner, lowered)));
    i = here.end + 1;
  }
  return out;
}

export function lowerGoto(s: L.GotoStatement, ctx: LowerContext): JsNode {
  const name = s.label.name;
  for (let i = ctx.labels.length - 1; i >= 0; i--) {
    const e = ctx.labels[i];
    if (e.name !== name) continue;
    return e.block.cursor < e.index ? b.breakStmt(e.forwardLabel, s) : b.continueStmt(e.backwardLabel, s);
  }
  ctx.error("undefined_label", `no visible label '${name}' for goto`, s.loc.start);
  return b.breakStmt(undefined, s);
}
