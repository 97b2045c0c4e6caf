// strftime as glibc implements it in the C locale, for os.date.
import { type Tm, INT_MAX, mktime } from "./os-time.ts";
// ---------------------------------------------------------------- strftime (glibc, C locale)

export const ABDAY = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
export const DAY = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
export const ABMON = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
export const MON = [
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

export function isLeap(y: number): boolean {
  return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
}

/** Days from the first day of the first ISO week of the year to yday (glibc's iso_week_days). */
export function isoWeekDays(yday: number, wday: number): number {
  const big = (Math.trunc(366 / 7) + 2) * 7;
  return yday - ((yday - wday + 4 + big) % 7) + 4 - 1;
}

export function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= "0" && c <= "9";
}

/** C's (int) of a value known to be an integer: wraps modulo 2^32. */
export function cInt(x: number): number {
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
