// Types for the luaparse AST (with locations and ranges on). Only the fields Rover reads.

export interface Position {
  line: number;
  column: number;
}
interface Base {
  loc: { start: Position; end: Position };
  range: [number, number];
}

export interface Chunk extends Base {
  type: "Chunk";
  body: Statement[];
}

export interface Identifier extends Base {
  type: "Identifier";
  name: string;
}
export interface StringLiteral extends Base {
  type: "StringLiteral";
  value: string;
  raw: string;
}
export interface NumericLiteral extends Base {
  type: "NumericLiteral";
  value: number;
  raw: string;
}
export interface BooleanLiteral extends Base {
  type: "BooleanLiteral";
  value: boolean;
}
export interface NilLiteral extends Base {
  type: "NilLiteral";
}
export interface VarargLiteral extends Base {
  type: "VarargLiteral";
}
export interface FunctionDeclaration extends Base {
  type: "FunctionDeclaration";
  identifier: Identifier | MemberExpression | null;
  isLocal: boolean;
  parameters: (Identifier | VarargLiteral)[];
  body: Statement[];
}
export interface TableKey extends Base {
  type: "TableKey";
  key: Expression;
  value: Expression;
}
export interface TableKeyString extends Base {
  type: "TableKeyString";
  key: Identifier;
  value: Expression;
}
export interface TableValue extends Base {
  type: "TableValue";
  value: Expression;
}
export interface TableConstructorExpression extends Base {
  type: "TableConstructorExpression";
  fields: (TableKey | TableKeyString | TableValue)[];
}
export interface BinaryExpression extends Base {
  type: "BinaryExpression";
  operator: string;
  left: Expression;
  right: Expression;
}
export interface LogicalExpression extends Base {
  type: "LogicalExpression";
  operator: "and" | "or";
  left: Expression;
  right: Expression;
}
export interface UnaryExpression extends Base {
  type: "UnaryExpression";
  operator: "not" | "-" | "#" | "~";
  argument: Expression;
}
export interface MemberExpression extends Base {
  type: "MemberExpression";
  indexer: "." | ":";
  identifier: Identifier;
  base: Expression;
}
export interface IndexExpression extends Base {
  type: "IndexExpression";
  base: Expression;
  index: Expression;
}
export interface CallExpression extends Base {
  type: "CallExpression";
  base: Expression;
  arguments: Expression[];
}
export interface TableCallExpression extends Base {
  type: "TableCallExpression";
  base: Expression;
  arguments: TableConstructorExpression;
}
export interface StringCallExpression extends Base {
  type: "StringCallExpression";
  base: Expression;
  argument: StringLiteral;
}

export type AnyCall = CallExpression | TableCallExpression | StringCallExpression;

export type Expression =
  | Identifier
  | StringLiteral
  | NumericLiteral
  | BooleanLiteral
  | NilLiteral
  | VarargLiteral
  | FunctionDeclaration
  | TableConstructorExpression
  | BinaryExpression
  | LogicalExpression
  | UnaryExpression
  | MemberExpression
  | IndexExpression
  | AnyCall;

export interface LabelStatement extends Base {
  type: "LabelStatement";
  label: Identifier;
}
export interface BreakStatement extends Base {
  type: "BreakStatement";
}
export interface GotoStatement extends Base {
  type: "GotoStatement";
  label: Identifier;
}
export interface ReturnStatement extends Base {
  type: "ReturnStatement";
  arguments: Expression[];
}
export interface IfClause extends Base {
  type: "IfClause" | "ElseifClause";
  condition: Expression;
  body: Statement[];
}
export interface ElseClause extends Base {
  type: "ElseClause";
  body: Statement[];
}
export interface IfStatement extends Base {
  type: "IfStatement";
  clauses: (IfClause | ElseClause)[];
}
export interface WhileStatement extends Base {
  type: "WhileStatement";
  condition: Expression;
  body: Statement[];
}
export interface DoStatement extends Base {
  type: "DoStatement";
  body: Statement[];
}
export interface RepeatStatement extends Base {
  type: "RepeatStatement";
  condition: Expression;
  body: Statement[];
}
export interface LocalStatement extends Base {
  type: "LocalStatement";
  variables: Identifier[];
  init: Expression[];
}
export interface AssignmentStatement extends Base {
  type: "AssignmentStatement";
  variables: (Identifier | MemberExpression | IndexExpression)[];
  init: Expression[];
}
export interface CallStatement extends Base {
  type: "CallStatement";
  expression: AnyCall;
}
export interface ForNumericStatement extends Base {
  type: "ForNumericStatement";
  variable: Identifier;
  start: Expression;
  end: Expression;
  step: Expression | null;
  body: Statement[];
}
export interface ForGenericStatement extends Base {
  type: "ForGenericStatement";
  variables: Identifier[];
  iterators: Expression[];
  body: Statement[];
}

export type Statement =
  | LabelStatement
  | BreakStatement
  | GotoStatement
  | ReturnStatement
  | IfStatement
  | WhileStatement
  | DoStatement
  | RepeatStatement
  | LocalStatement
  | AssignmentStatement
  | CallStatement
  | FunctionDeclaration
  | ForNumericStatement
  | ForGenericStatement;

export type Node = Statement | Expression | Chunk;
