// The os library of LuaJIT 2.1 (lib_os.c) for Rover: time/date with glibc's gmtime, mktime and
// strftime (C locale) ported so os.date output equals LuaJIT's on Linux, clock, getenv,
// difftime, exit (an ExitSignal the host turns into the exit code), remove/rename/tmpname on
// the real file system; os.execute refuses to run commands (no shell in a route file).
import * as fs from "node:fs";
import { randomBytes } from "node:crypto";
import { LuaTable } from "../table.ts";
import type { LuaValue } from "../value.ts";
import { ExitSignal } from "./base.ts";
import { throwLuaError } from "../errors.ts";
import { argError, checkInt, checkNumber, checkString } from "../args.ts";
import { type, index } from "../ops.ts";
import { stringToNumber } from "../number.ts";
import { fileErrorResult, toHostPath } from "./io.ts";
import { define } from "./define.ts";

function wrongType(n: number, fname: string, expected: string, v: LuaValue, present: boolean): never {
  argError(n, fname, expected + " expected, got " + (present ? type(v) : "no value"));
}

function numArg(v: LuaValue, n: number, fname: string, present: boolean): number {
  if (typeof v === "number") return v;
  if (v === undefined) wrongType(n, fname, "number", v, present);
  return checkNumber(v, n, fname);
}

function strArg(v: LuaValue, n: number, fname: string, present: boolean): string {
  if (typeof v === "string") return v;
  if (v === undefined) wrongType(n, fname, "string", v, present);
  return checkString(v, n, fname);
}

import { type Tm, gmtime, localtime, mktime } from "./os-time.ts";
import { cInt, strftime } from "./os-strftime.ts";
// ---------------------------------------------------------------- os.date / os.time

/** (time_t) of a Lua number: truncation; NaN and out-of-range values become INT64_MIN, which no year fits. */
function toTimeT(x: number): number {
  return x === x && Math.abs(x) < 2 ** 63 ? Math.trunc(x) : -(2 ** 63);
}

function date(...args: LuaValue[]): any {
  const nargs = args.length;
  let s = args[0] === undefined ? "%c" : strArg(args[0], 1, "date", true);
  const t = args[1] === undefined ? Math.floor(Date.now() / 1000) : toTimeT(numArg(args[1], 2, "date", true));
  const nul = s.indexOf("\0");
  if (nul >= 0) s = s.slice(0, nul); // strftime and strcmp stop at the C string's end
  let stm: Tm | undefined;
  if (s[0] === "!") {
    stm = gmtime(t);
    s = s.slice(1);
  } else {
    stm = localtime(t);
  }
  if (stm === undefined) return undefined;
  if (s === "*t") {
    const r = new LuaTable();
    r.setStr("sec", stm.sec);
    r.setStr("min", stm.min);
    r.setStr("hour", stm.hour);
    r.setStr("day", stm.mday);
    r.setStr("month", stm.mon + 1);
    r.setStr("year", cInt(stm.year + 1900));
    r.setStr("wday", stm.wday + 1);
    r.setStr("yday", stm.yday + 1);
    r.setStr("isdst", stm.isdst > 0);
    return r;
  }
  if (s.length === 0) return "";
  const result = strftime(s, stm);
  // LuaJIT sizes its buffer from the format (30 bytes per '%') and grows it at most 4 times; when the
  // result never fits (huge field widths) the call returns its last argument unchanged.
  let sz = 0;
  for (let i = 0; i < s.length; i++) sz += s[i] === "%" ? 30 : 1;
  for (let retry = 0; retry < 4; retry++) {
    if (result.length > 0 && result.length < sz) return result;
    sz += sz | 1;
  }
  return nargs === 0 ? undefined : args[nargs - 1];
}

/** getfield of lib_os.c: lua_getfield (metamethods apply), a number or numeric string truncated to a C int. */
function getField(t: LuaTable, key: string, d: number): number {
  const v = index(t, key);
  const n = typeof v === "number" ? v : typeof v === "string" ? stringToNumber(v) : undefined;
  if (n === undefined) {
    if (d < 0) throwLuaError("field '" + key + "' missing in date table");
    return d;
  }
  // lua_tointeger (cvttsd2si to 64 bits, INT64_MIN when out of range) then (int).
  return n === n && Math.abs(n) < 2 ** 63 ? cInt(Math.trunc(n)) : 0;
}

function time(t: LuaValue): any {
  if (t === undefined) return Math.floor(Date.now() / 1000);
  if (!(t instanceof LuaTable)) wrongType(1, "time", "table", t, true);
  const sec = getField(t, "sec", 0);
  const min = getField(t, "min", 0);
  const hour = getField(t, "hour", 12);
  const mday = getField(t, "day", -1);
  const mon = cInt(getField(t, "month", -1) - 1);
  const year = cInt(getField(t, "year", -1) - 1900);
  const dst = index(t, "isdst");
  const isdst = dst === undefined ? -1 : dst === false ? 0 : 1;
  const r = mktime({ sec, min, hour, mday, mon, year, isdst });
  return r === undefined || r === -1n ? undefined : Number(r);
}

// ---------------------------------------------------------------- the rest

function clock(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

function getenv(name: LuaValue): string | undefined {
  const key = Buffer.from(strArg(name, 1, "getenv", arguments.length > 0), "latin1").toString("utf8");
  const v = process.env[key];
  return v === undefined ? undefined : Buffer.from(v, "utf8").toString("latin1");
}

function difftime(t1: LuaValue, t2: LuaValue): number {
  const a = toTimeT(numArg(t1, 1, "difftime", arguments.length > 0));
  const b = t2 === undefined ? 0 : toTimeT(numArg(t2, 2, "difftime", true));
  return a - b;
}

function exit(code: LuaValue): never {
  let status: number;
  if (typeof code === "boolean") status = code ? 0 : 1;
  else status = code === undefined ? 0 : checkInt(code, 1, "exit");
  throw new ExitSignal(status);
}

function remove(name: LuaValue): any {
  const filename = strArg(name, 1, "remove", arguments.length > 0);
  const path = toHostPath(filename);
  try {
    try {
      fs.unlinkSync(path);
    } catch (e) {
      // C's remove() also removes empty directories.
      if ((e as NodeJS.ErrnoException).code !== "EISDIR") throw e;
      fs.rmdirSync(path);
    }
    return true;
  } catch (e) {
    return fileErrorResult(e, filename);
  }
}

function rename(from: LuaValue, to: LuaValue): any {
  const nargs = arguments.length;
  const fromName = strArg(from, 1, "rename", nargs > 0);
  const toName = strArg(to, 2, "rename", nargs > 1);
  try {
    fs.renameSync(toHostPath(fromName), toHostPath(toName));
    return true;
  } catch (e) {
    return fileErrorResult(e, fromName);
  }
}

/** mkstemp("/tmp/lua_XXXXXX"): creates the file and returns its name. */
function tmpname(): string {
  const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  for (let attempt = 0; attempt < 100; attempt++) {
    const bytes = randomBytes(6);
    let name = "/tmp/lua_";
    for (const b of bytes) name += chars[b % chars.length];
    try {
      fs.closeSync(fs.openSync(name, "wx", 0o600));
      return name;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") break;
    }
  }
  throwLuaError("unable to generate a unique filename");
}

function execute(command: LuaValue): number {
  // system(NULL) answers whether a shell exists: route files get none.
  if (command === undefined) return 0;
  strArg(command, 1, "execute", true);
  throwLuaError("os.execute is not available in Rover");
}

const LOCALE_CATEGORIES = ["ctype", "numeric", "time", "collate", "monetary", "all"];

/** Rover runs in the C locale only: querying or selecting "C"/"POSIX"/"" succeeds, anything else fails. */
function setlocale(locale: LuaValue, category: LuaValue): string | undefined {
  const name = locale === undefined ? undefined : checkString(locale, 1, "setlocale");
  if (category !== undefined) {
    const c = checkString(category, 2, "setlocale");
    if (!LOCALE_CATEGORIES.includes(c)) argError(2, "setlocale", "invalid option '" + c + "'");
  }
  if (name === undefined || name === "" || name === "C" || name === "POSIX") return "C";
  return undefined;
}

export function createOsLib(): LuaTable {
  const O = new LuaTable();
  define(O, "date", date);
  define(O, "time", time);
  define(O, "clock", clock);
  define(O, "getenv", getenv);
  define(O, "difftime", difftime);
  define(O, "exit", exit);
  define(O, "remove", remove);
  define(O, "rename", rename);
  define(O, "tmpname", tmpname);
  define(O, "execute", execute);
  define(O, "setlocale", setlocale);
  return O;
}
