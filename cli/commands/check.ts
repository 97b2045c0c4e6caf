// rover check app.lua [--json]: static analysis without serving. Prints every diagnostic with
// its code frame and notes, then the route table and a summary line; --json prints one
// document for editors and CI instead. Exit status 1 when there are errors.
import { checkApp, type CheckDiagnostic, type CheckResult } from "../../compiler/analyse/check.ts";
import { luaText } from "../../compiler/analyse/check-messages.ts";
import { codeFrame, formatDiagnostic } from "../../compiler/diagnostics.ts";
import { useColor } from "../report.ts";
import { writeErr } from "../output.ts";

export function check(entry: string, options: { json: boolean }): number {
  let result: CheckResult;
  try {
    result = checkApp(entry, process.cwd());
  } catch (e) {
    if (e instanceof Error && /^cannot read/.test(e.message)) {
      writeErr(`rover: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  process.stdout.write(options.json ? JSON.stringify(toJson(result), null, 2) + "\n" : toText(result));
  return result.errors > 0 ? 1 : 0;
}

/** The --json document: `{ files, diagnostics, routes, errors, warnings }`. */
export function toJson(r: CheckResult): object {
  return {
    files: r.files.map((f) => f.chunkName),
    diagnostics: r.diagnostics.map((d) => ({
      code: d.code,
      severity: d.severity,
      message: d.message,
      file: d.file.chunkName,
      line: d.line,
      column: d.column,
      ...(d.notes.length > 0
        ? {
            notes: d.notes.map((n) => ({
              message: n.message,
              file: n.file.chunkName,
              line: n.line,
              column: n.column,
            })),
          }
        : {}),
    })),
    routes: r.routes.map((route) => ({
      method: route.method,
      path: luaText(route.path),
      params: route.params.map(luaText),
      file: route.site.file.chunkName,
      line: route.site.line,
    })),
    errors: r.errors,
    warnings: r.warnings,
  };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function toText(r: CheckResult): string {
  const color = useColor(process.stdout);
  const out: string[] = [];
  for (const d of r.diagnostics) out.push(formatWithNotes(d, color), "");
  if (r.routes.length > 0) {
    const width = Math.max(...r.routes.map((route) => luaText(route.path).length), 4);
    for (const route of r.routes) {
      const where = `${route.site.file.chunkName}:${route.site.line}`;
      out.push(`${route.method.padEnd(7)} ${luaText(route.path).padEnd(width)}  ${where}`);
    }
    out.push("");
  }
  out.push(
    `${plural(r.errors, "error")}, ${plural(r.warnings, "warning")}, ${plural(r.routes.length, "route")}`,
  );
  return out.join("\n") + "\n";
}

function formatWithNotes(d: CheckDiagnostic, color: boolean): string {
  const lines = [formatDiagnostic(d, color)];
  for (const n of d.notes) {
    lines.push(
      `${n.file.chunkName}:${n.line}:${n.column}: note: ${n.message}`,
      codeFrame(n.file, n.line, n.column, color),
    );
  }
  return lines.join("\n");
}
