// The io library of LuaJIT 2.1 (lib_io.c): io.write/read/lines over the host's output
// callbacks and stdin, and real files through io.open with C's fopen modes. Files are
// userdata (LuaFile) sharing one metatable; results and errors follow luaL_fileresult:
// true, or nil + "<name>: <strerror>" + errno.
import * as fs from "node:fs";
import { randomBytes } from "node:crypto";
import { LuaTable } from "../table.ts";
import type { LuaValue } from "../value.ts";
import { EMPTY, Multi } from "../multi.ts";
import { LuaError, throwLuaError } from "../errors.ts";
import { argError, checkInt, checkString } from "../args.ts";
import { type } from "../ops.ts";
import { numberToString, stringToNumber } from "../number.ts";
import { addressOf } from "../tostring.ts";
import { define } from "./define.ts";

// ---------------------------------------------------------------- errors

/** glibc's strerror texts and errno values for the codes file operations produce. */
const ERRNO: Record<string, [number, string]> = {
  EPERM: [1, "Operation not permitted"],
  ENOENT: [2, "No such file or directory"],
  EIO: [5, "Input/output error"],
  EBADF: [9, "Bad file descriptor"],
  EAGAIN: [11, "Resource temporarily unavailable"],
  ENOMEM: [12, "Cannot allocate memory"],
  EACCES: [13, "Permission denied"],
  EBUSY: [16, "Device or resource busy"],
  EEXIST: [17, "File exists"],
  EXDEV: [18, "Invalid cross-device link"],
  ENOTDIR: [20, "Not a directory"],
  EISDIR: [21, "Is a directory"],
  EINVAL: [22, "Invalid argument"],
  ENFILE: [23, "Too many open files in system"],
  EMFILE: [24, "Too many open files"],
  ETXTBSY: [26, "Text file busy"],
  EFBIG: [27, "File too large"],
  ENOSPC: [28, "No space left on device"],
  ESPIPE: [29, "Illegal seek"],
  EROFS: [30, "Read-only file system"],
  EMLINK: [31, "Too many links"],
  EPIPE: [32, "Broken pipe"],
  ENAMETOOLONG: [36, "File name too long"],
  ENOTEMPTY: [39, "Directory not empty"],
  ELOOP: [40, "Too many levels of symbolic links"],
  EDQUOT: [122, "Disk quota exceeded"],
};

/** An errno raised by our own stream code (Node raises ErrnoExceptions with the same `code`). */
class IoFailure extends Error {
  readonly code: string;
  constructor(code: string) {
    super(code);
    this.code = code;
  }
}

function errnoOf(e: unknown): [number, string] {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (typeof code === "string" && ERRNO[code] !== undefined) return ERRNO[code];
  if (typeof code === "string") {
    const n = (e as NodeJS.ErrnoException).errno;
    return [typeof n === "number" ? Math.abs(n) : 0, code];
  }
  throw e; // not an OS error: a bug, let it surface
}

/** luaL_fileresult for a failure: nil, "<name>: <strerror>" (or just strerror), errno. */
export function fileErrorResult(e: unknown, filename?: string): Multi {
  const [n, msg] = errnoOf(e);
  return new Multi([undefined, filename === undefined ? msg : filename + ": " + msg, n]);
}

/** A Lua byte-string path as the exact bytes for the file system. */
export function toHostPath(name: string): Buffer {
  return Buffer.from(name, "latin1");
}

// ---------------------------------------------------------------- streams

/** What a FILE* does underneath: a host output callback or a file descriptor. */
interface Stream {
  /** Reads up to n more bytes (latin1), "" at end of file. */
  readChunk(n: number): string;
  write(bytes: string): void;
  /** Whether the stream has a position (regular files), so fseeko can work. */
  readonly seekable: boolean;
  /** Position of the next byte the kernel will read or write (seekable streams only). */
  pos: number;
  size(): number;
  close(): void;
}

/** stdout/stderr: writes go to the host's callbacks, which buffer; they cannot be read or seeked. */
class HostStream implements Stream {
  readonly seekable = false;
  pos = 0;
  private readonly sink: (bytes: string) => void;
  constructor(sink: (bytes: string) => void) {
    this.sink = sink;
  }
  readChunk(): string {
    throw new IoFailure("EBADF");
  }
  write(bytes: string): void {
    this.sink(bytes);
  }
  size(): number {
    return 0;
  }
  close(): void {}
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/** A file descriptor; regular files are read and written at an explicit position so seek works. */
class FdStream implements Stream {
  readonly seekable: boolean;
  pos: number;
  private readonly fd: number;
  private readonly append: boolean;
  constructor(fd: number, seekable: boolean, append: boolean, pos: number) {
    this.fd = fd;
    this.seekable = seekable;
    this.append = append;
    this.pos = pos;
  }
  readChunk(n: number): string {
    const buf = Buffer.allocUnsafe(n);
    for (;;) {
      try {
        const got = fs.readSync(this.fd, buf, 0, n, this.seekable ? this.pos : null);
        if (this.seekable) this.pos += got;
        return buf.toString("latin1", 0, got);
      } catch (e) {
        // A non-blocking stdin (a TTY or pipe Node switched over) has no data yet: wait and retry.
        if ((e as NodeJS.ErrnoException).code !== "EAGAIN") throw e;
        Atomics.wait(sleepCell, 0, 0, 5);
      }
    }
  }
  write(bytes: string): void {
    const buf = Buffer.from(bytes, "latin1");
    const positioned = this.seekable && !this.append;
    let done = 0;
    while (done < buf.length) {
      const n = fs.writeSync(this.fd, buf, done, buf.length - done, positioned ? this.pos : null);
      done += n;
      if (positioned) this.pos += n;
    }
    if (this.append) this.pos = this.size(); // O_APPEND wrote at the end
  }
  size(): number {
    return fs.fstatSync(this.fd).size;
  }
  close(): void {
    fs.closeSync(this.fd);
  }
}

// ---------------------------------------------------------------- FILE*

/** Like LuaJIT's __gc on files: a file the program dropped without closing gets its descriptor closed. */
const unreachableFiles = new FinalizationRegistry<Stream>((stream) => {
  try {
    stream.close();
  } catch {
    // already closed or invalid: nothing to release
  }
});

const IOFILE_FILE = 0;
const IOFILE_STDF = 2;
const CHUNK = 65536;

/** An io library file handle: a userdata to Lua (type() says "userdata"), with the shared FILE* metatable. */
export class LuaFile {
  readonly metatable: LuaTable;
  readonly kind: number;
  /** io.lines(name) closes its file at the end. */
  closeAtEof: boolean;
  private stream: Stream | null;
  /** Bytes read ahead from the stream and not consumed yet (buffer[off..]). */
  private buffer: string;
  private off: number;
  private eof: boolean;
  /** The error flag of the C stream (ferror), as [errno, message] of the last failure. */
  error: unknown;
  constructor(metatable: LuaTable, stream: Stream, kind: number) {
    this.metatable = metatable;
    this.stream = stream;
    this.kind = kind;
    this.closeAtEof = false;
    this.buffer = "";
    this.off = 0;
    this.eof = false;
    this.error = undefined;
  }

  get isClosed(): boolean {
    return this.stream === null;
  }

  close(): void {
    const s = this.stream;
    this.stream = null;
    unreachableFiles.unregister(this);
    s?.close();
  }

  // -- reading (the C stdio buffer, emulated)

  /** Makes at least `n` unread bytes available if the stream has them; false at end of file. */
  private fill(n: number): boolean {
    while (this.buffer.length - this.off < n) {
      if (this.eof) return false;
      // Large counts are read in bounded steps: a huge read(n) on a small file allocates little.
      const chunk = this.readStream(Math.max(CHUNK, Math.min(n - (this.buffer.length - this.off), 1 << 24)));
      if (chunk.length === 0) {
        this.eof = true;
        return false;
      }
      this.buffer = this.off === this.buffer.length ? chunk : this.buffer.slice(this.off) + chunk;
      this.off = 0;
    }
    return true;
  }

  private readStream(n: number): string {
    try {
      return this.stream!.readChunk(n);
    } catch (e) {
      errnoOf(e); // rethrows anything that is not an OS error
      this.error = e;
      return "";
    }
  }

  /** getc without consuming; -1 at end of file. */
  peek(): number {
    if (this.off >= this.buffer.length && !this.fill(1)) return -1;
    return this.buffer.charCodeAt(this.off);
  }

  skip(): void {
    this.off++;
  }

  /** fgets-based line reading: the line with its "\n" unless chop; ok when anything (even just "\n") was read. */
  readLine(chop: boolean): [string, boolean] {
    let line = "";
    for (;;) {
      if (this.off >= this.buffer.length && !this.fill(1)) return [line, line.length > 0];
      const nl = this.buffer.indexOf("\n", this.off);
      if (nl >= 0) {
        line += this.buffer.slice(this.off, chop ? nl : nl + 1);
        this.off = nl + 1;
        return [line, true];
      }
      line += this.buffer.slice(this.off);
      this.off = this.buffer.length;
    }
  }

  readAll(): string {
    let s = this.buffer.slice(this.off);
    this.buffer = "";
    this.off = 0;
    while (!this.eof) {
      const chunk = this.readStream(CHUNK);
      if (chunk.length === 0) this.eof = true;
      else s += chunk;
    }
    return s;
  }

  readLen(n: number): string {
    this.fill(n);
    const s = this.buffer.slice(this.off, this.off + n);
    this.off += s.length;
    return s;
  }

  // -- writing and positioning: the read-ahead is given back to the stream first, as fseek does

  private dropReadAhead(): void {
    const st = this.stream!;
    if (st.seekable) st.pos -= this.buffer.length - this.off;
    this.buffer = "";
    this.off = 0;
    this.eof = false;
  }

  write(bytes: string): void {
    if (this.buffer.length > 0 || this.eof) this.dropReadAhead();
    this.stream!.write(bytes);
  }

  /** fseeko + ftello: the new position. */
  seek(whence: "set" | "cur" | "end", offset: number): number {
    const st = this.stream!;
    if (!st.seekable) throw new IoFailure("ESPIPE");
    this.dropReadAhead();
    const target = (whence === "set" ? 0 : whence === "cur" ? st.pos : st.size()) + offset;
    if (target < 0) throw new IoFailure("EINVAL");
    st.pos = target;
    return target;
  }
}

/** fopen's mode string: r, w or a first, then '+' (update) and 'x' (exclusive) among the next six chars. */
function openFlags(mode: string): { flags: number; append: boolean } | undefined {
  const c = fs.constants;
  const first = mode[0];
  if (first !== "r" && first !== "w" && first !== "a") return undefined;
  let update = false;
  let excl = false;
  for (let i = 1; i < 7 && i < mode.length && mode[i] !== "\0"; i++) {
    if (mode[i] === "+") update = true;
    else if (mode[i] === "x") excl = true;
  }
  const access = update ? c.O_RDWR : first === "r" ? c.O_RDONLY : c.O_WRONLY;
  let flags = access;
  if (first === "w") flags |= c.O_CREAT | c.O_TRUNC;
  if (first === "a") flags |= c.O_CREAT | c.O_APPEND;
  if (excl && first !== "r") flags |= c.O_EXCL;
  return { flags, append: first === "a" };
}

// ---------------------------------------------------------------- the library

export function createIoLib(write: (bytes: string) => void, writeError: (bytes: string) => void): LuaTable {
  const IO = new LuaTable();
  const methods = new LuaTable();
  const meta = new LuaTable();
  meta.setStr("__index", methods);

  const stdin = new LuaFile(meta, new FdStream(0, false, false, 0), IOFILE_STDF);
  const stdout = new LuaFile(meta, new HostStream(write), IOFILE_STDF);
  const stderr = new LuaFile(meta, new HostStream(writeError), IOFILE_STDF);
  let input = stdin;
  let output = stdout;

  /** fopen: a LuaFile, or the OS error. */
  function fopen(filename: string, mode: string): LuaFile {
    const m = openFlags(mode);
    if (m === undefined) throw new IoFailure("EINVAL");
    const fd = fs.openSync(toHostPath(filename), m.flags, 0o666);
    let pos = 0;
    // glibc positions a write-only append stream at the end; "a+" reads from the start.
    if (m.append && (m.flags & fs.constants.O_RDWR) === 0) pos = fs.fstatSync(fd).size;
    const stream = new FdStream(fd, true, m.append, pos);
    const file = new LuaFile(meta, stream, IOFILE_FILE);
    unreachableFiles.register(file, stream, file);
    return file;
  }

  /** io_file_open: like fopen, but a failure is an argument error ("bad argument #1 to 'lines' (x: No such ...)"). */
  function fileOpenOrArgError(name: LuaValue, mode: string, fname: string): LuaFile {
    const filename = checkString(name, 1, fname);
    try {
      return fopen(filename, mode);
    } catch (e) {
      const [, msg] = errnoOf(e);
      argError(1, fname, filename + ": " + msg);
    }
  }

  /** io_tofile: the FILE* self argument, open. */
  function toFile(self: LuaValue, present: boolean, fname: string): LuaFile {
    if (!(self instanceof LuaFile)) {
      argError(1, fname, "FILE* expected, got " + (present ? type(self) : "no value"));
    }
    if (self.isClosed) throwLuaError("attempt to use a closed file");
    return self;
  }

  function stdFile(f: LuaFile): LuaFile {
    if (f.isClosed) throwLuaError("standard file is closed");
    return f;
  }

  /** io_file_close: standard files refuse, others close with luaL_fileresult. */
  function closeFile(f: LuaFile): any {
    if (f.kind === IOFILE_STDF) return new Multi([undefined, "cannot close standard file"]);
    try {
      f.close();
      return true;
    } catch (e) {
      return fileErrorResult(e);
    }
  }

  /**
   * io_file_readnum: fscanf("%lf") on the stream, with glibc's rules: it consumes every character
   * that can continue a number and fails (nil) when no digit was read; a dangling exponent ("1e",
   * "0x1p+") is consumed and ignored; "nan" takes no "(...)" suffix.
   */
  function readNumber(f: LuaFile): number | undefined {
    let c = f.peek();
    while (c === 32 || (c >= 9 && c <= 13)) {
      f.skip();
      c = f.peek();
    }
    let text = "";
    const take = (): void => {
      text += String.fromCharCode(c);
      f.skip();
      c = f.peek();
    };
    const lower = (x: number): number => (x >= 65 && x <= 90 ? x + 32 : x);
    const isDigitCode = (x: number, hex: boolean): boolean =>
      (x >= 48 && x <= 57) || (hex && lower(x) >= 97 && lower(x) <= 102);
    /** Consumes `word` case-insensitively; false at the first character that differs. */
    const matchWord = (word: string): boolean => {
      for (let i = 0; i < word.length; i++) {
        if (lower(c) !== word.charCodeAt(i)) return false;
        take();
      }
      return true;
    };
    if (c === 43 || c === 45) take();
    const negative = text === "-";
    if (lower(c) === 105) {
      if (!matchWord("inf")) return undefined;
      if (lower(c) === 105 && !matchWord("inity")) return undefined;
      return negative ? -Infinity : Infinity;
    }
    if (lower(c) === 110) return matchWord("nan") ? NaN : undefined;
    let hex = false;
    let digits = 0;
    if (c === 48) {
      take();
      digits++;
      if (lower(c) === 120) {
        take();
        hex = true;
        digits = 0;
      }
    }
    while (isDigitCode(c, hex)) {
      take();
      digits++;
    }
    if (c === 46) {
      take();
      while (isDigitCode(c, hex)) {
        take();
        digits++;
      }
    }
    if (digits === 0) return undefined;
    const mantissa = text;
    if (lower(c) === (hex ? 112 : 101)) {
      take();
      if (c === 43 || c === 45) take();
      if (!isDigitCode(c, false)) text = mantissa; // an exponent without digits is dropped
      while (isDigitCode(c, false)) take();
    }
    return hex ? stringToNumber(text.endsWith(".") ? text + "0" : text) : Number(text);
  }

  /** io_file_read: the formats "n", "l", "L", "a" (optionally after '*') and byte counts. */
  function readFormats(f: LuaFile, formats: LuaValue[], argOffset: number, fname: string): any {
    f.error = undefined;
    const out: LuaValue[] = [];
    let ok = true;
    if (formats.length === 0) {
      const [line, got] = f.readLine(true);
      out.push(line);
      ok = got;
    } else {
      for (let i = 0; i < formats.length && ok; i++) {
        const fmt = formats[i];
        const argn = i + 1 + argOffset;
        if (typeof fmt === "string") {
          const p = fmt[0] === "*" ? fmt[1] : fmt[0];
          if (p === "n") {
            const n = readNumber(f);
            out.push(n);
            ok = n !== undefined;
          } else if (p === "l" || p === "L") {
            const [line, got] = f.readLine(p === "l");
            out.push(line);
            ok = got;
          } else if (p === "a") {
            out.push(f.readAll());
          } else {
            argError(argn, fname, "invalid format");
          }
        } else if (typeof fmt === "number") {
          const n = checkInt(fmt, argn, fname);
          if (n < 0) throw new LuaError("not enough memory"); // (MSize)n: LuaJIT cannot allocate that
          if (n === 0) {
            out.push("");
            ok = f.peek() >= 0;
          } else {
            const s = f.readLen(n);
            out.push(s);
            ok = s.length > 0;
          }
        } else {
          argError(argn, fname, "invalid option");
        }
      }
    }
    if (f.error !== undefined) return fileErrorResult(f.error);
    if (!ok) out[out.length - 1] = undefined;
    return out.length === 1 ? out[0] : new Multi(out);
  }

  /** io_file_write: strings and numbers (formatted as tostring does), then luaL_fileresult. */
  function writeValues(f: LuaFile, values: LuaValue[], argOffset: number, fname: string): any {
    let s = "";
    let failure: unknown;
    const flush = (): void => {
      if (s.length > 0 && failure === undefined) {
        try {
          f.write(s);
        } catch (e) {
          errnoOf(e); // rethrows anything that is not an OS error
          failure = e;
        }
      }
      s = "";
    };
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (typeof v === "string") s += v;
      else if (typeof v === "number") s += numberToString(v);
      else {
        flush(); // the values before the bad one are written, as fwrite does one by one
        argError(i + 1 + argOffset, fname, "string expected, got " + type(v));
      }
    }
    flush();
    return failure === undefined ? true : fileErrorResult(failure);
  }

  /** io_file_lines: an iterator reading `formats` (default a chopped line) on each call. */
  function linesIterator(f: LuaFile, formats: LuaValue[]): (...a: any[]) => any {
    const iter = (): any => {
      if (f.isClosed) throwLuaError("attempt to use a closed file");
      const r = readFormats(f, formats, 0, "lines");
      if (f.error !== undefined) throwLuaError((r as Multi).values[1] as string);
      const firstValue = r instanceof Multi ? r.values[0] : r;
      if (firstValue === undefined && f.closeAtEof) {
        closeFile(f);
        return EMPTY;
      }
      return r;
    };
    Object.defineProperty(iter, "name", { value: "lines" });
    return iter;
  }

  // -- FILE* methods

  define(methods, "close", function (self: LuaValue) {
    return closeFile(arguments.length > 0 ? toFile(self, true, "close") : output);
  });
  define(methods, "read", function (self: LuaValue, ...formats: LuaValue[]) {
    return readFormats(toFile(self, arguments.length > 0, "read"), formats, 1, "read");
  });
  define(methods, "write", function (self: LuaValue, ...values: LuaValue[]) {
    return writeValues(toFile(self, arguments.length > 0, "write"), values, 1, "write");
  });
  define(methods, "flush", function (self: LuaValue) {
    toFile(self, arguments.length > 0, "flush");
    return true; // writes are never buffered here
  });
  define(methods, "seek", function (self: LuaValue, whence: LuaValue, offset: LuaValue) {
    const nargs = arguments.length;
    const f = toFile(self, nargs > 0, "seek");
    const w = whence === undefined ? "cur" : checkString(whence, 2, "seek");
    if (w !== "set" && w !== "cur" && w !== "end") argError(2, "seek", "invalid option '" + w + "'");
    let ofs = 0;
    if (typeof offset === "number") ofs = offset >= 0 ? Math.floor(offset) : Math.ceil(offset);
    else if (offset !== undefined) argError(3, "seek", "number expected, got " + type(offset));
    try {
      return f.seek(w, ofs);
    } catch (e) {
      return fileErrorResult(e);
    }
  });
  define(methods, "setvbuf", function (self: LuaValue, mode: LuaValue, size: LuaValue) {
    const nargs = arguments.length;
    toFile(self, nargs > 0, "setvbuf");
    if (mode === undefined)
      argError(2, "setvbuf", "string expected, got " + (nargs > 1 ? "nil" : "no value"));
    const m = checkString(mode, 2, "setvbuf");
    if (m !== "full" && m !== "line" && m !== "no") argError(2, "setvbuf", "invalid option '" + m + "'");
    if (size !== undefined) checkInt(size, 3, "setvbuf");
    return true;
  });
  define(methods, "lines", function (self: LuaValue, ...formats: LuaValue[]) {
    return linesIterator(toFile(self, arguments.length > 0, "lines"), formats);
  });
  define(meta, "__tostring", (self: LuaFile) =>
    self.isClosed ? "file (closed)" : "file (" + addressOf(self) + ")",
  );

  // -- io.*

  define(IO, "close", function (file: LuaValue) {
    return closeFile(arguments.length > 0 ? toFile(file, true, "close") : output);
  });
  define(IO, "read", (...formats: LuaValue[]) => readFormats(stdFile(input), formats, 0, "read"));
  define(IO, "write", (...values: LuaValue[]) => writeValues(stdFile(output), values, 0, "write"));
  define(IO, "flush", () => {
    stdFile(output);
    return true;
  });
  define(IO, "input", (file: LuaValue) => {
    if (file !== undefined)
      input = file instanceof LuaFile ? toFile(file, true, "input") : fileOpenOrArgError(file, "r", "input");
    return input;
  });
  define(IO, "output", (file: LuaValue) => {
    if (file !== undefined) {
      output =
        file instanceof LuaFile ? toFile(file, true, "output") : fileOpenOrArgError(file, "w", "output");
    }
    return output;
  });
  define(IO, "lines", (name: LuaValue, ...formats: LuaValue[]) => {
    if (name === undefined) return linesIterator(input, formats);
    const f = fileOpenOrArgError(name, "r", "lines");
    f.closeAtEof = true;
    return linesIterator(f, formats);
  });
  define(IO, "open", function (name: LuaValue, mode: LuaValue) {
    const nargs = arguments.length;
    if (name === undefined) argError(1, "open", "string expected, got " + (nargs > 0 ? "nil" : "no value"));
    const filename = checkString(name, 1, "open");
    const m = mode === undefined ? "r" : checkString(mode, 2, "open");
    try {
      return fopen(filename, m);
    } catch (e) {
      return fileErrorResult(e, filename);
    }
  });
  define(IO, "type", function (v: LuaValue) {
    if (arguments.length === 0) argError(1, "type", "value expected");
    if (!(v instanceof LuaFile)) return undefined;
    return v.isClosed ? "closed file" : "file";
  });
  define(IO, "tmpfile", () => {
    // tmpfile(): an anonymous "w+" file, removed from the directory at once.
    for (let attempt = 0; attempt < 100; attempt++) {
      const path = "/tmp/lua_" + randomBytes(6).toString("hex");
      try {
        const f = fopen(path, "w+x");
        fs.unlinkSync(path);
        return f;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") return fileErrorResult(e);
      }
    }
    return fileErrorResult(new IoFailure("EEXIST"));
  });
  define(IO, "popen", () => throwLuaError("io.popen is not available in Rover"));
  IO.setStr("stdin", stdin as any);
  IO.setStr("stdout", stdout as any);
  IO.setStr("stderr", stderr as any);
  return IO;
}
