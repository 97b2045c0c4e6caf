// Compile diagnostics: a stable code, a message, and a position. They are collected by the
// phases and printed by the CLI as `file:line:col: error[code]: message` with a code frame.
import { type SourceFile, lineText } from "./source.ts";

export interface Diagnostic {
  code: string;
  severity: "error" | "warning";
  message: string;
  file: SourceFile;
  line: number;
  /** 1-based column. */
  column: number;
}

/** Thrown by compile entry points when a file has errors; carries every diagnostic. */
export class CompileError extends Error {
  readonly diagnostics: Diagnostic[];
  constructor(diagnostics: Diagnostic[]) {
    super(diagnostics.map((d) => formatDiagnostic(d, false)).join("\n"));
    this.diagnostics = diagnostics;
  }
}

export function diagnostic(
  code: string,
  message: string,
  file: SourceFile,
  line: number,
  column: number,
  severity: "error" | "warning" = "error",
): Diagnostic {
  return { code, severity, message, file, line, column };
}

/** `app.lua:3:11: error[syntax]: message` followed by a code frame with a caret. */
export function formatDiagnostic(d: Diagnostic, color: boolean): string {
  const paint = (code: string, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const head =
    paint("1", `${d.file.chunkName}:${d.line}:${d.column}: `) +
    paint(d.severity === "error" ? "31;1" : "33;1", `${d.severity}[${d.code}]`) +
    ": " +
    d.message;
  return head + "\n" + codeFrame(d.file, d.line, d.column, color);
}

/** Up to two lines of context before the line, the line itself, and a caret under the column. */
export function codeFrame(file: SourceFile, line: number, column: number, color = false): string {
  const first = Math.max(1, line - 2);
  const width = String(line).length;
  const out: string[] = [];
  for (let l = first; l <= line; l++) {
    const marker = l === line ? ">" : " ";
    out.push(`${marker} ${String(l).padStart(width)} | ${lineText(file, l)}`);
  }
  const caret = color ? "\x1b[31;1m^\x1b[0m" : "^";
  out.push(`  ${" ".repeat(width)} | ${" ".repeat(Math.max(0, column - 1))}${caret}`);
  return out.join("\n");
}
