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

// ---------------------------------------------------------------- struct tm

/** C's struct tm, with tm_gmtoff and tm_zone as glibc has them. */
interface Tm {
  sec: number;
  min: number;
  hour: number;
  mday: number;
  mon: number; // 0..11
  year: number; // years since 1900
  wday: number; // 0 = Sunday
  yday: number; // 0..365
  isdst: number;
  gmtoff: number;
  zone: () => string; // computed only when %Z asks for it
}

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

/** Days since 1970-01-01 of a proleptic Gregorian date (month 1..12), valid for any year. */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** [days, seconds of the day] of the instant t + shift, exactly (time_t is an int64; doubles past 2^53 are not). */
function splitDays(t: number, shift: number): [number, number] {
  if (Math.abs(t) < 2 ** 52) {
    const x = t + shift;
    let days = Math.floor(x / 86400);
    let secs = x - days * 86400;
    // x / 86400 may round across a day boundary; the remainder says which side we are on.
    if (secs < 0) {
      days--;
      secs += 86400;
    } else if (secs >= 86400) {
      days++;
      secs -= 86400;
    }
    return [days, secs];
  }
  const x = BigInt(t) + BigInt(shift);
  let days = x / 86400n;
  if (days * 86400n > x) days -= 1n;
  return [Number(days), Number(x - days * 86400n)];
}

/** gmtime_r of t + gmtoff: the broken-down time, or undefined when the year overflows an int (EOVERFLOW). */
function gmtime(t: number, gmtoff = 0, zone: () => string = () => "GMT"): Tm | undefined {
  const [days, daySecs] = splitDays(t, gmtoff);
  let secs = daySecs;
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const mday = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const mon = mp < 10 ? mp + 2 : mp - 10;
  const year = yoe + era * 400 + (mon <= 1 ? 1 : 0);
  if (year - 1900 < INT_MIN || year - 1900 > INT_MAX) return undefined;
  const hour = Math.floor(secs / 3600);
  secs -= hour * 3600;
  const min = Math.floor(secs / 60);
  return {
    sec: secs - min * 60,
    min,
    hour,
    mday,
    mon,
    year: year - 1900,
    wday: (((days + 4) % 7) + 7) % 7,
    yday: days - daysFromCivil(year, 1, 1),
    isdst: 0,
    gmtoff,
    zone,
  };
}

// JS Dates reach ±8.64e15 ms; beyond that the local offset of the nearest representable time is used.
const DATE_LIMIT = 8.64e12;

interface LocalZone {
  off: number; // seconds east of UTC
  dst: boolean;
  abbr: () => string;
}

/**
 * The local zone at instant t, as glibc's localtime computes it: from the zone's TZif file while t
 * is inside its transition table (before the first transition: the first standard-time type), and
 * past it from the host's rules through JS Dates (ICU applies the same future rules as the footer).
 */
function zoneAt(t: number): LocalZone {
  const z = loadZone();
  if (z !== null && z.infos.length > 0) {
    const n = z.times.length;
    if (n === 0 || t < z.times[0]) {
      const i = z.infos.findIndex((x) => !x.dst);
      const info = z.infos[i < 0 ? 0 : i];
      return { off: info.off, dst: info.dst, abbr: () => info.abbr };
    }
    if (t < z.times[n - 1]) {
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (z.times[mid] <= t) lo = mid + 1;
        else hi = mid;
      }
      const info = z.infos[z.types[lo - 1]];
      return { off: info.off, dst: info.dst, abbr: () => info.abbr };
    }
  }
  const c = Math.max(-DATE_LIMIT, Math.min(DATE_LIMIT, t));
  const off = -new Date(c * 1000).getTimezoneOffset() * 60;
  const y = new Date(c * 1000).getUTCFullYear();
  const jan = -new Date(Date.UTC(y, 0, 1)).getTimezoneOffset() * 60;
  const jul = -new Date(Date.UTC(y, 6, 1)).getTimezoneOffset() * 60;
  const dst = off > Math.min(jan, jul);
  return { off, dst, abbr: () => abbreviation(z, c, off, dst) };
}

function utcOffset(t: number): number {
  return zoneAt(t).off;
}

interface ZoneInfo {
  times: number[]; // transition instants, ascending
  types: number[]; // ttinfo index in force from each transition
  infos: { off: number; dst: boolean; abbr: string }[];
}

const zoneCache = new Map<string, ZoneInfo | null>();

/** The TZif file glibc reads for TZ (unset: /etc/localtime; ":name" or "name": the zoneinfo database). */
function loadZone(): ZoneInfo | null {
  const tz = process.env.TZ;
  const key = tz ?? "";
  let z = zoneCache.get(key);
  if (z !== undefined) return z;
  const name = tz === undefined ? "/etc/localtime" : tz.startsWith(":") ? tz.slice(1) : tz;
  const file = name.startsWith("/") ? name : "/usr/share/zoneinfo/" + (name === "" ? "UTC" : name);
  try {
    z = parseTzif(fs.readFileSync(file));
  } catch {
    z = null;
  }
  zoneCache.set(key, z);
  return z;
}

/** TZif (RFC 8536): the 64-bit block when present, else the 32-bit one. */
function parseTzif(b: Buffer): ZoneInfo | null {
  if (b.toString("latin1", 0, 4) !== "TZif") return null;
  const counts = (at: number) => [20, 24, 28, 32, 36, 40].map((o) => b.readUInt32BE(at + o));
  let at = 0;
  let [isut, isstd, leap, timecnt, typecnt, charcnt] = counts(0);
  let timeSize = 4;
  if (b[4] >= 0x32) {
    at = 44 + timecnt * 5 + typecnt * 6 + charcnt + leap * 8 + isstd + isut;
    [isut, isstd, leap, timecnt, typecnt, charcnt] = counts(at);
    timeSize = 8;
  }
  let p = at + 44;
  const times: number[] = [];
  for (let i = 0; i < timecnt; i++, p += timeSize) {
    times.push(timeSize === 8 ? Number(b.readBigInt64BE(p)) : b.readInt32BE(p));
  }
  const types = Array.from(b.subarray(p, p + timecnt));
  p += timecnt;
  const raw = [];
  for (let i = 0; i < typecnt; i++, p += 6) raw.push([b.readInt32BE(p), b[p + 4], b[p + 5]]);
  const chars = b.toString("latin1", p, p + charcnt);
  const infos = raw.map(([off, dst, idx]) => ({
    off,
    dst: dst !== 0,
    abbr: chars.slice(idx, chars.indexOf("\0", idx)),
  }));
  return { times, types, infos };
}

/** The abbreviation for an offset past the zone file's table: its latest type with that offset, else Intl's. */
function abbreviation(z: ZoneInfo | null, t: number, off: number, dst: boolean): string {
  if (z !== null) {
    for (let i = z.types.length - 1; i >= 0; i--) {
      const info = z.infos[z.types[i]];
      if (info.off === off && info.dst === dst) return info.abbr;
    }
    const info = z.infos.find((x) => x.off === off && x.dst === dst);
    if (info !== undefined) return info.abbr;
  }
  const format = new Intl.DateTimeFormat("en-US", { timeZoneName: "short" });
  return format.formatToParts(new Date(t * 1000)).find((x) => x.type === "timeZoneName")?.value ?? "";
}

/** localtime_r. */
function localtime(t: number): Tm | undefined {
  const zone = zoneAt(t);
  const tm = gmtime(t, zone.off, zone.abbr);
  if (tm !== undefined) tm.isdst = zone.dst ? 1 : 0;
  return tm;
}

/** mktime: normalises out-of-range fields; undefined (C's -1) when the result does not fit. Exact (bigint). */
function mktime(tm: {
  sec: number;
  min: number;
  hour: number;
  mday: number;
  mon: number;
  year: number;
  isdst: number;
}): bigint | undefined {
  const yearsFromMon = Math.floor(tm.mon / 12);
  const year = tm.year + 1900 + yearsFromMon;
  const mon = tm.mon - yearsFromMon * 12;
  const days = daysFromCivil(year, mon + 1, 1) + tm.mday - 1;
  const local = BigInt(days) * 86400n + BigInt(tm.hour * 3600 + tm.min * 60 + tm.sec);
  const approx = Number(local);
  // Find t with t + offset(t) = local. In a DST gap no t fits: like glibc, use the offset in force
  // before the transition (the first probe).
  const first = approx - utcOffset(approx);
  let off = utcOffset(first);
  if (first + off !== approx) {
    const second = approx - off;
    const off2 = utcOffset(second);
    off = second + off2 === approx ? off2 : utcOffset(approx);
  }
  let t = local - BigInt(off);
  if (tm.isdst >= 0 && (zoneAt(Number(t)).dst ? 1 : 0) !== (tm.isdst > 0 ? 1 : 0)) {
    // A requested DST flag that does not hold at t shifts by the DST hour, even in zones without DST.
    t += tm.isdst > 0 ? -3600n : 3600n;
  }
  if (gmtime(Number(t), utcOffset(Number(t))) === undefined) return undefined;
  return t;
}

// ---------------------------------------------------------------- strftime (glibc, C locale)

const ABDAY = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const DAY = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const ABMON = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const MON = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

function isLeap(y: number): boolean {
  return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
}

/** Days from the first day of the first ISO week of the year to yday (glibc's iso_week_days). */
function isoWeekDays(yday: number, wday: number): number {
  const big = (Math.trunc(366 / 7) + 2) * 7;
  return yday - ((yday - wday + 4 + big) % 7) + 4 - 1;
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= "0" && c <= "9";
}

/** C's (int) of a value known to be an integer: wraps modulo 2^32. */
function cInt(x: number): number {
  return x | 0;
}

/** glibc's __strftime_internal in the C locale, conversion for conversion (flags _ - 0 ^ #, width, E/O). */
export function strftime(format: string, tp: Tm): string {
  let out = "";
  const hour12 = tp.hour > 12 ? tp.hour - 12 : tp.hour === 0 ? 12 : tp.hour;
  for (let f = 0; f < format.length; f++) {
    if (format[f] !== "%") {
      out += format[f];
      continue;
    }
    let pad = "";
    let width = -1;
    let toLow = false;
    let toUp = false;
    let changeCase = false;
    for (;;) {
      const c = format[++f];
      if (c === "_" || c === "-" || c === "0") pad = c;
      else if (c === "^") toUp = true;
      else if (c === "#") changeCase = true;
      else break;
    }
    if (isDigit(format[f])) {
      width = 0;
      do {
        const d = format.charCodeAt(f) - 48;
        width = width > 214748364 || (width === 214748364 && d > 7) ? INT_MAX : width * 10 + d;
        f++;
      } while (isDigit(format[f]));
    }
    let modifier = "";
    if (format[f] === "E" || format[f] === "O") modifier = format[f++];

    const add = (s: string): void => {
      const delta = width - s.length;
      if (delta > 0) out += (pad === "0" ? "0" : " ").repeat(delta);
      out += s;
    };
    const cpy = (s: string): void => add(toLow ? s.toLowerCase() : toUp ? s.toUpperCase() : s);
    const badFormat = (): void => {
      let start = f;
      while (format[start] !== "%") start--;
      cpy(format.slice(start, f + 1));
    };
    const subformat = (sub: string): void => {
      const s = strftime(sub, tp);
      const before = out.length;
      add(s);
      if (toUp) out = out.slice(0, before) + out.slice(before).toUpperCase();
    };
    const number = (digits: number, value: number, spacepad: boolean): void => {
      digits = digits > width ? digits : width;
      if (spacepad && pad !== "0" && pad !== "-") pad = "_";
      // Alternative digits (%O) do not exist in the C locale.
      signAndPadding(digits, value < 0, String(Math.abs(value)));
    };
    const signAndPadding = (digits: number, negative: boolean, magnitude: string): void => {
      let s = negative ? "-" + magnitude : magnitude;
      if (pad !== "-") {
        const padding = digits - s.length;
        if (padding > 0) {
          if (pad === "_") {
            out += " ".repeat(padding);
            width = width > padding ? width - padding : 0;
          } else {
            if (negative) {
              out += "-";
              s = s.slice(1);
            }
            out += "0".repeat(padding);
            width = 0;
          }
        }
      }
      cpy(s);
    };

    const c = format[f];
    switch (c) {
      case "%":
        if (modifier !== "") badFormat();
        else add("%");
        break;
      case "a":
      case "A":
        if (modifier !== "") {
          badFormat();
          break;
        }
        if (changeCase) {
          toUp = true;
          toLow = false;
        }
        cpy(c === "a" ? ABDAY[tp.wday] : DAY[tp.wday]);
        break;
      case "b":
      case "h":
      case "B":
        if (changeCase) {
          toUp = true;
          toLow = false;
        }
        if (modifier === "E") badFormat();
        else cpy(c === "B" ? MON[tp.mon] : ABMON[tp.mon]); // %Ob/%OB: the alternative names equal these in C
        break;
      case "c":
        if (modifier === "O") badFormat();
        else subformat("%a %b %e %H:%M:%S %Y");
        break;
      case "C": {
        const year = cInt(tp.year + 1900);
        number(1, Math.trunc(year / 100) - (year % 100 < 0 ? 1 : 0), false);
        break;
      }
      case "x":
        if (modifier === "O") badFormat();
        else subformat("%m/%d/%y");
        break;
      case "D":
        if (modifier !== "") badFormat();
        else subformat("%m/%d/%y");
        break;
      case "d":
      case "e":
        if (modifier === "E") badFormat();
        else number(2, tp.mday, c === "e");
        break;
      case "F":
        if (modifier !== "") badFormat();
        else subformat("%Y-%m-%d");
        break;
      case "H":
      case "k":
        if (modifier === "E") badFormat();
        else number(2, tp.hour, c === "k");
        break;
      case "I":
      case "l":
        if (modifier === "E") badFormat();
        else number(2, hour12, c === "l");
        break;
      case "j":
        if (modifier === "E") badFormat();
        else number(3, 1 + tp.yday, false);
        break;
      case "M":
        if (modifier === "E") badFormat();
        else number(2, tp.min, false);
        break;
      case "m":
        if (modifier === "E") badFormat();
        else number(2, tp.mon + 1, false);
        break;
      case "n":
        add("\n");
        break;
      case "t":
        add("\t");
        break;
      case "P":
      case "p":
        if (c === "P") toLow = true;
        if (changeCase) {
          toUp = false;
          toLow = true;
        }
        cpy(tp.hour > 11 ? "PM" : "AM");
        break;
      case "R":
        subformat("%H:%M");
        break;
      case "r":
        subformat("%I:%M:%S %p");
        break;
      case "S":
        if (modifier === "E") badFormat();
        else number(2, tp.sec, false);
        break;
      case "s": {
        const t = mktime(tp);
        const v = t === undefined ? -1n : t;
        signAndPadding(1, v < 0n, (v < 0n ? -v : v).toString());
        break;
      }
      case "X":
        if (modifier === "O") badFormat();
        else subformat("%H:%M:%S");
        break;
      case "T":
        subformat("%H:%M:%S");
        break;
      case "u":
        number(1, ((tp.wday - 1 + 7) % 7) + 1, false);
        break;
      case "U":
        if (modifier === "E") badFormat();
        else number(2, Math.trunc((tp.yday - tp.wday + 7) / 7), false);
        break;
      case "V":
      case "g":
      case "G": {
        if (modifier === "E") {
          badFormat();
          break;
        }
        let year = cInt(tp.year + 1900);
        let days = isoWeekDays(tp.yday, tp.wday);
        if (days < 0) {
          year = cInt(year - 1); // this ISO week belongs to the previous year
          days = isoWeekDays(tp.yday + (365 + (isLeap(year) ? 1 : 0)), tp.wday);
        } else {
          const d = isoWeekDays(tp.yday - (365 + (isLeap(year) ? 1 : 0)), tp.wday);
          if (d >= 0) {
            year = cInt(year + 1); // this ISO week belongs to the next year
            days = d;
          }
        }
        if (c === "g") number(2, ((year % 100) + 100) % 100, false);
        else if (c === "G") number(1, year, false);
        else number(2, Math.trunc(days / 7) + 1, false);
        break;
      }
      case "W":
        if (modifier === "E") badFormat();
        else number(2, Math.trunc((tp.yday - ((tp.wday - 1 + 7) % 7) + 7) / 7), false);
        break;
      case "w":
        if (modifier === "E") badFormat();
        else number(1, tp.wday, false);
        break;
      case "Y":
        if (modifier === "O") badFormat();
        else number(1, cInt(tp.year + 1900), false); // no eras in the C locale
        break;
      case "y":
        number(2, ((tp.year % 100) + 100) % 100, false);
        break;
      case "Z":
        if (changeCase) {
          toUp = false;
          toLow = true;
        }
        cpy(tp.zone());
        break;
      case "z": {
        let diff = tp.gmtoff;
        if (diff < 0) {
          add("-");
          diff = -diff;
        } else {
          add("+");
        }
        diff = Math.trunc(diff / 60);
        number(4, Math.trunc(diff / 60) * 100 + (diff % 60), false);
        break;
      }
      case undefined: // GNU extension: '%' at the end of the format
        f--;
        badFormat();
        break;
      default:
        badFormat();
    }
  }
  return out;
}

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
