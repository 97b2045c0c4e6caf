// Small constructors for ESTree nodes. Each takes an optional Lua location so astring can
// write a source-map mapping back to the Lua line for the node.
import type { Position } from "../lua-ast.ts";

export type JsNode = { type: string; loc?: JsLoc | null; [key: string]: any };
export interface JsLoc {
  start: Position;
  end: Position;
  source?: string;
}
type Loc = { loc: { start: Position; end: Position } } | null | undefined;

function at<T extends JsNode>(node: T, from: Loc): T {
  if (from) node.loc = { start: from.loc.start, end: from.loc.end };
  return node;
}

export const id = (name: string, from?: Loc): JsNode => at({ type: "Identifier", name }, from);
export const lit = (value: string | number | boolean | null, from?: Loc): JsNode => {
  if (typeof value === "number" && (value < 0 || Object.is(value, -0))) {
    return at({ type: "UnaryExpression", operator: "-", prefix: true, argument: lit(-value) }, from);
  }
  if (typeof value === "number" && !Number.isFinite(value)) {
    return Number.isNaN(value) ? binary("/", lit(0), lit(0)) : binary("/", lit(1), lit(0));
  }
  return at({ type: "Literal", value }, from);
};
export const undef = (from?: Loc): JsNode => id("undefined", from);
/** A call; a helper callee without a location gets the call's, so the frame maps to the Lua line. */
export const call = (callee: JsNode, args: JsNode[], from?: Loc): JsNode => {
  if (from && callee.type === "Identifier" && !callee.loc) at(callee, from);
  return at({ type: "CallExpression", callee, arguments: args, optional: false }, from);
};
export const member = (object: JsNode, property: string): JsNode => ({
  type: "MemberExpression",
  object,
  property: id(property),
  computed: false,
  optional: false,
});
export const index = (object: JsNode, property: JsNode): JsNode => ({
  type: "MemberExpression",
  object,
  property,
  computed: true,
  optional: false,
});
export const binary = (operator: string, left: JsNode, right: JsNode, from?: Loc): JsNode =>
  at({ type: "BinaryExpression", operator, left, right }, from);
export const logical = (operator: "&&" | "||" | "??", left: JsNode, right: JsNode): JsNode => ({
  type: "LogicalExpression",
  operator,
  left,
  right,
});
export const not = (argument: JsNode): JsNode => ({
  type: "UnaryExpression",
  operator: "!",
  prefix: true,
  argument,
});
export const cond = (test: JsNode, consequent: JsNode, alternate: JsNode): JsNode => ({
  type: "ConditionalExpression",
  test,
  consequent,
  alternate,
});
export const assign = (left: JsNode, right: JsNode, from?: Loc): JsNode =>
  at({ type: "AssignmentExpression", operator: "=", left, right }, from);
export const seq = (expressions: JsNode[]): JsNode =>
  expressions.length === 1 ? expressions[0] : { type: "SequenceExpression", expressions };
export const array = (elements: JsNode[]): JsNode => ({ type: "ArrayExpression", elements });
export const spreadEl = (argument: JsNode): JsNode => ({ type: "SpreadElement", argument });
export const newExpr = (callee: JsNode, args: JsNode[], from?: Loc): JsNode =>
  at({ type: "NewExpression", callee, arguments: args }, from);

export const exprStmt = (expression: JsNode, from?: Loc): JsNode =>
  at({ type: "ExpressionStatement", expression }, from);
export const block = (body: JsNode[]): JsNode => ({ type: "BlockStatement", body });
export const letDecl = (
  declarations: [string, JsNode | null][],
  kind: "let" | "const" = "let",
  from?: Loc,
): JsNode =>
  at(
    {
      type: "VariableDeclaration",
      kind,
      declarations: declarations.map(([name, init]) => ({ type: "VariableDeclarator", id: id(name), init })),
    },
    from,
  );
export const ret = (argument: JsNode | null, from?: Loc): JsNode =>
  at({ type: "ReturnStatement", argument }, from);
export const ifStmt = (test: JsNode, consequent: JsNode, alternate: JsNode | null, from?: Loc): JsNode =>
  at({ type: "IfStatement", test, consequent, alternate }, from);
export const whileStmt = (test: JsNode, body: JsNode, from?: Loc): JsNode =>
  at({ type: "WhileStatement", test, body }, from);
export const breakStmt = (label?: string, from?: Loc): JsNode =>
  at({ type: "BreakStatement", label: label ? id(label) : null }, from);
export const continueStmt = (label?: string, from?: Loc): JsNode =>
  at({ type: "ContinueStatement", label: label ? id(label) : null }, from);
export const labeled = (label: string, body: JsNode): JsNode => ({
  type: "LabeledStatement",
  label: id(label),
  body,
});
export const forStmt = (
  init: JsNode | null,
  test: JsNode | null,
  update: JsNode | null,
  body: JsNode,
  from?: Loc,
) => at({ type: "ForStatement", init, test, update, body }, from);
export const fnExpr = (name: string | null, params: JsNode[], body: JsNode[], from?: Loc): JsNode =>
  at(
    {
      type: "FunctionExpression",
      id: name ? id(name) : null,
      params,
      body: block(body),
      generator: false,
      async: false,
      expression: false,
    },
    from,
  );
export const restParam = (name: string): JsNode => ({ type: "RestElement", argument: id(name) });
