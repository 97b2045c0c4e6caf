// Which locals always hold a number: those whose every assignment (initial value included)
// is a numeric literal or arithmetic on numbers. Found by an optimistic fixpoint over the
// chunk's assignments, so `local sum = 0 ... sum = (sum + i * j) % m` qualifies. Lowering
// then emits plain JS arithmetic for them instead of the coercing helpers.
import type * as L from "../lua-ast.ts";

interface Decl {
  /** Right-hand sides ever assigned; null stands for "not provably a number" (nil, call results...). */
  values: (L.Expression | null)[];
  numeric: boolean;
}

const ARITH = new Set(["+", "-", "*", "/", "%", "^"]);

/** Returns the declaring Identifier nodes of the locals that always hold numbers. */
export function findNumericLocals(chunk: L.Chunk): Set<L.Identifier> {
  const decls = new Map<L.Identifier, Decl>();
  const refs = new Map<L.Identifier, Decl>();
  const scopes: Map<string, Decl>[] = [new Map()];

  const lookup = (name: string): Decl | undefined => {
    for (let i = scopes.length - 1; i >= 0; i--) {
      const d = scopes[i].get(name);
      if (d !== undefined) return d;
    }
    return undefined;
  };
  const declare = (id: L.Identifier, value: L.Expression | null): Decl => {
    const d: Decl = { values: [value], numeric: true };
    decls.set(id, d);
    scopes[scopes.length - 1].set(id.name, d);
    return d;
  };
  const block = (body: L.Statement[], before?: () => void) => {
    scopes.push(new Map());
    before?.();
    body.forEach(statement);
    scopes.pop();
  };

  function expr(e: L.Expression | null | undefined): void {
    if (!e) return;
    switch (e.type) {
      case "Identifier": {
        const d = lookup(e.name);
        if (d !== undefined) refs.set(e, d);
        return;
      }
      case "FunctionDeclaration":
        return fn(e);
      case "BinaryExpression":
      case "LogicalExpression":
        expr(e.left);
        return expr(e.right);
      case "UnaryExpression":
        return expr(e.argument);
      case "MemberExpression":
        return expr(e.base);
      case "IndexExpression":
        expr(e.base);
        return expr(e.index);
      case "CallExpression":
        expr(e.base);
        return e.arguments.forEach(expr);
      case "StringCallExpression":
        return expr(e.base);
      case "TableCallExpression":
        expr(e.base);
        return expr(e.arguments);
      case "TableConstructorExpression":
        for (const f of e.fields) {
          if (f.type === "TableKey") expr(f.key);
          expr(f.value);
        }
        return;
      default:
        return;
    }
  }

  function fn(f: L.FunctionDeclaration): void {
    block(f.body, () => {
      for (const p of f.parameters) if (p.type === "Identifier") declare(p, null);
    });
  }

  /** The value the i-th target gets from an expression list (null when it is not one expression). */
  function valueAt(init: L.Expression[], i: number): L.Expression | null {
    const last = init.length - 1;
    if (i < last || (i === last && !isMulti(init[i]))) return init[i];
    return null;
  }

  function statement(s: L.Statement): void {
    switch (s.type) {
      case "LocalStatement":
        s.init.forEach(expr);
        s.variables.forEach((v, i) => declare(v, valueAt(s.init, i)));
        return;
      case "AssignmentStatement":
        s.init.forEach(expr);
        s.variables.forEach((v, i) => {
          if (v.type === "Identifier") {
            const d = lookup(v.name);
            if (d !== undefined) d.values.push(valueAt(s.init, i));
          } else {
            expr(v);
          }
        });
        return;
      case "CallStatement":
        return expr(s.expression);
      case "FunctionDeclaration":
        if (s.isLocal && s.identifier?.type === "Identifier") declare(s.identifier, null);
        else if (s.identifier?.type === "Identifier") {
          const d = lookup(s.identifier.name);
          if (d !== undefined) d.values.push(null);
        } else if (s.identifier) expr(s.identifier);
        return fn(s);
      case "ReturnStatement":
        return s.arguments.forEach(expr);
      case "IfStatement":
        for (const c of s.clauses) {
          if (c.type !== "ElseClause") expr(c.condition);
          block(c.body);
        }
        return;
      case "WhileStatement":
        expr(s.condition);
        return block(s.body);
      case "RepeatStatement":
        scopes.push(new Map());
        s.body.forEach(statement);
        expr(s.condition);
        scopes.pop();
        return;
      case "DoStatement":
        return block(s.body);
      case "ForNumericStatement":
        expr(s.start);
        expr(s.end);
        expr(s.step);
        // The control variable starts as a number; assignments in the body are checked too.
        return block(s.body, () =>
          declare(s.variable, { type: "NumericLiteral", value: 0 } as L.NumericLiteral),
        );
      case "ForGenericStatement":
        s.iterators.forEach(expr);
        return block(s.body, () => s.variables.forEach((v) => declare(v, null)));
      default:
        return;
    }
  }

  chunk.body.forEach(statement);

  const numericExpr = (e: L.Expression): boolean => {
    switch (e.type) {
      case "NumericLiteral":
        return true;
      case "Identifier": {
        const d = refs.get(e);
        return d !== undefined && d.numeric;
      }
      case "UnaryExpression":
        return e.operator === "-" && numericExpr(e.argument);
      case "BinaryExpression":
        return ARITH.has(e.operator) && numericExpr(e.left) && numericExpr(e.right);
      default:
        return false;
    }
  };
  for (let changed = true; changed;) {
    changed = false;
    for (const d of decls.values()) {
      if (d.numeric && !d.values.every((v) => v !== null && numericExpr(v))) {
        d.numeric = false;
        changed = true;
      }
    }
  }
  const out = new Set<L.Identifier>();
  for (const [id, d] of decls) if (d.numeric) out.add(id);
  return out;
}

function isMulti(e: L.Expression): boolean {
  return (
    e.type === "CallExpression" ||
    e.type === "StringCallExpression" ||
    e.type === "TableCallExpression" ||
    e.type === "VarargLiteral"
  );
}
