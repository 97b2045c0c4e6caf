// Buffered byte output for Lua's print/io.write: Lua strings are bytes (latin1 JS strings),
// written with writeSync so output order matches LuaJIT's even when the process exits right
// after. Flushed when the buffer grows and before anything goes to stderr.
import { writeSync } from "node:fs";

export class ByteWriter {
  private chunks: string[] = [];
  private size = 0;
  private readonly fd: number;
  constructor(fd: number) {
    this.fd = fd;
  }
  readonly write = (bytes: string): void => {
    this.chunks.push(bytes);
    this.size += bytes.length;
    if (this.size >= 1 << 16) this.flush();
  };
  flush(): void {
    if (this.size === 0) return;
    const buf = Buffer.from(this.chunks.join(""), "latin1");
    this.chunks = [];
    this.size = 0;
    let off = 0;
    while (off < buf.length) {
      try {
        off += writeSync(this.fd, buf, off);
      } catch (e: any) {
        if (e.code !== "EAGAIN") throw e;
      }
    }
  }
}

export const stdout = new ByteWriter(1);
export const stderr = new ByteWriter(2);

/** Writes to stderr after flushing stdout, so the two streams keep their order. */
export function writeErr(text: string): void {
  stdout.flush();
  stderr.write(Buffer.from(text, "utf8").toString("latin1"));
  stderr.flush();
}
