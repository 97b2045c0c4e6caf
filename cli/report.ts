// Printing for the CLI: diagnostics with code frames (coloured only on a TTY without
// NO_COLOR), and plain error lines.
import { formatDiagnostic, type Diagnostic } from "../compiler/diagnostics.ts";

export function useColor(stream: NodeJS.WriteStream): boolean {
  return stream.isTTY === true && process.env.NO_COLOR === undefined;
}

export function printDiagnostics(diagnostics: Diagnostic[]): void {
  const color = useColor(process.stderr);
  for (const d of diagnostics) process.stderr.write(formatDiagnostic(d, color) + "\n");
}

export function fail(message: string): number {
  process.stderr.write(`rover: ${message}\n`);
  return 1;
}
