// Synchronous writes to stdout/stderr from any thread. Worker threads write straight to the
// file descriptor (a worker's process.stdout is an async hop through the main thread, and
// would lose output when the process exits). Retries EAGAIN: the fd may be non-blocking.
import { writeSync } from "node:fs";

const sleeper = new Int32Array(new SharedArrayBuffer(4));

export function writeFdSync(fd: number, data: Buffer | string): void {
  const buf = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(fd, buf, off, buf.length - off);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "EAGAIN") {
        Atomics.wait(sleeper, 0, 0, 1);
        continue;
      }
      // The reader went away (e.g. `rover start | head`): output is lost, the server keeps going.
      if (code === "EPIPE") return;
      throw e;
    }
  }
}

/** Lua output: byte strings (one char code per byte) go out unchanged. */
export function writeBytes(fd: number, bytes: string): void {
  writeFdSync(fd, Buffer.from(bytes, "latin1"));
}
