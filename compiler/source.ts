// A Lua source file as the compiler sees it: the text decoded as latin1 so every char is
// one byte (Lua strings are bytes), its chunk name as LuaJIT would print it ("app.lua"),
// and line starts for turning offsets into line:column only when a message is printed.

export interface SourceFile {
  /** Absolute path on disk. */
  path: string;
  /** Name used in Lua error messages and tracebacks (the path as given, relative to the cwd). */
  chunkName: string;
  /** File bytes as a latin1 string. */
  text: string;
  lineStarts: number[];
}

export function sourceFile(path: string, chunkName: string, bytes: Buffer | string): SourceFile {
  const text = typeof bytes === "string" ? bytes : bytes.toString("latin1");
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
  return { path, chunkName, text, lineStarts };
}

/** The text of line `line` (1-based) without its newline, decoded as UTF-8 for display. */
export function lineText(src: SourceFile, line: number): string {
  const start = src.lineStarts[line - 1] ?? src.text.length;
  const end = line < src.lineStarts.length ? src.lineStarts[line] - 1 : src.text.length;
  return Buffer.from(src.text.slice(start, end).replace(/\r$/, ""), "latin1").toString("utf8");
}
