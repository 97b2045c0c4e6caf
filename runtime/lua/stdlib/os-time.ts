// struct tm arithmetic for os.date and os.time: gmtime, localtime with the system zone files
// (TZif, as glibc reads them), and mktime with glibc's normalisation of out-of-range fields.
import * as fs from "node:fs";

// ---------------------------------------------------------------- struct tm

/** C's struct tm, with tm_gmtoff and tm_zone as glibc has them. */
export interface Tm {
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

export const INT_MIN = -2147483648;
export const INT_MAX = 2147483647;

/** Days since 1970-01-01 of a proleptic Gregorian date (month 1..12), valid for any year. */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** [days, seconds of the day] of the instant t + shift, exactly (time_t is an int64; doubles past 2^53 are not). */
export function splitDays(t: number, shift: number): [number, number] {
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
export function gmtime(t: number, gmtoff = 0, zone: () => string = () => "GMT"): Tm | undefined {
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
export const DATE_LIMIT = 8.64e12;

export interface LocalZone {
  off: number; // seconds east of UTC
  dst: boolean;
  abbr: () => string;
}

/**
 * The local zone at instant t, as glibc's localtime computes it: from the zone's TZif file while t
 * is inside its transition table (before the first transition: the first standard-time type), and
 * past it from the host's rules through JS Dates (ICU applies the same future rules as the footer).
 */
export function zoneAt(t: number): LocalZone {
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

export function utcOffset(t: number): number {
  return zoneAt(t).off;
}

export interface ZoneInfo {
  times: number[]; // transition instants, ascending
  types: number[]; // ttinfo index in force from each transition
  infos: { off: number; dst: boolean; abbr: string }[];
}

export const zoneCache = new Map<string, ZoneInfo | null>();

/** The TZif file glibc reads for TZ (unset: /etc/localtime; ":name" or "name": the zoneinfo database). */
export function loadZone(): ZoneInfo | null {
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
export function parseTzif(b: Buffer): ZoneInfo | null {
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
export function abbreviation(z: ZoneInfo | null, t: number, off: number, dst: boolean): string {
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
export function localtime(t: number): Tm | undefined {
  const zone = zoneAt(t);
  const tm = gmtime(t, zone.off, zone.abbr);
  if (tm !== undefined) tm.isdst = zone.dst ? 1 : 0;
  return tm;
}

/** mktime: normalises out-of-range fields; undefined (C's -1) when the result does not fit. Exact (bigint). */
export function mktime(tm: {
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
