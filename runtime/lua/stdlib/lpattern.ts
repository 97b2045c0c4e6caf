// Lua patterns, ported from LuaJIT's lib_string.c (itself lstrlib.c of Lua 5.1): a backtracking
// matcher over the bytes of the subject (JS char codes 0..255), never a RegExp. Function names
// follow the C source; `goto init` tail calls are the loop in `match`, and NULL is -1.
import type { LuaValue } from "../value.ts";
import { throwLuaError } from "../errors.ts";

const L_ESC = 37; // '%'
const CAP_UNFINISHED = -1;
const CAP_POSITION = -2;
const LUA_MAXCAPTURES = 32;
/** LJ_MAX_XLEVEL: nesting depth of non-tail `match` calls before "pattern too complex". */
const MAXCCALLS = 200;

// C-locale character classes (lj_char.h), one bit per class, indexed by byte.
const CNTRL = 1;
const SPACE = 2;
const PUNCT = 4;
const DIGIT = 8;
const XDIGIT = 16;
const UPPER = 32;
const LOWER = 64;
const ALPHA = UPPER | LOWER;
const ALNUM = ALPHA | DIGIT;
const GRAPH = ALNUM | PUNCT;

const charBits = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  let b = 0;
  if (c < 32 || c === 127) b |= CNTRL;
  if (c === 32 || (c >= 9 && c <= 13)) b |= SPACE;
  if (c >= 48 && c <= 57) b |= DIGIT | XDIGIT;
  if ((c >= 65 && c <= 70) || (c >= 97 && c <= 102)) b |= XDIGIT;
  if (c >= 65 && c <= 90) b |= UPPER;
  if (c >= 97 && c <= 122) b |= LOWER;
  if (c > 32 && c < 127 && !(b & (DIGIT | UPPER | LOWER))) b |= PUNCT;
  charBits[c] = b;
}

/** match_class_map: class letter (low 5 bits) to its class bits; %g is LuaJIT's addition. */
const matchClassMap = new Uint8Array(32);
matchClassMap[1] = ALPHA; // a
matchClassMap[3] = CNTRL; // c
matchClassMap[4] = DIGIT; // d
matchClassMap[7] = GRAPH; // g
matchClassMap[12] = LOWER; // l
matchClassMap[16] = PUNCT; // p
matchClassMap[19] = SPACE; // s
matchClassMap[21] = UPPER; // u
matchClassMap[23] = ALNUM; // w
matchClassMap[24] = XDIGIT; // x

/** The state of one match: the subject, the pattern (cut at its first NUL, as C sees it) and the captures. */
export class MatchState {
  src: string;
  srcEnd: number;
  pat: string;
  patEnd: number;
  level: number;
  depth: number;
  readonly capInit: Int32Array;
  readonly capLen: Int32Array;
  constructor(src: string, pat: string) {
    this.src = "";
    this.srcEnd = 0;
    this.pat = "";
    this.patEnd = 0;
    this.level = 0;
    this.depth = 0;
    this.reset(src, pat);
    this.capInit = new Int32Array(LUA_MAXCAPTURES);
    this.capLen = new Int32Array(LUA_MAXCAPTURES);
  }
  /** Points the state at a new subject and pattern (states are pooled). */
  reset(src: string, pat: string): void {
    this.src = src;
    this.srcEnd = src.length;
    this.pat = pat;
    const nul = pat.indexOf("\0");
    this.patEnd = nul < 0 ? pat.length : nul;
    this.level = 0;
    this.depth = 0;
  }
}

/** The pattern byte at p, or 0 past its end (C reads the terminating NUL). */
function pchar(ms: MatchState, p: number): number {
  return p < ms.patEnd ? ms.pat.charCodeAt(p) : 0;
}

function check_capture(ms: MatchState, l: number): number {
  l -= 49; // '1'
  if (l < 0 || l >= ms.level || ms.capLen[l] === CAP_UNFINISHED) throwLuaError("invalid capture index");
  return l;
}

function capture_to_close(ms: MatchState): number {
  let level = ms.level;
  for (level--; level >= 0; level--) {
    if (ms.capLen[level] === CAP_UNFINISHED) return level;
  }
  return throwLuaError("invalid pattern capture");
}

function classend(ms: MatchState, p: number): number {
  const c = ms.pat.charCodeAt(p++);
  if (c === L_ESC) {
    if (p >= ms.patEnd) throwLuaError("malformed pattern (ends with '%')");
    return p + 1;
  }
  if (c === 91 /* [ */) {
    if (pchar(ms, p) === 94 /* ^ */) p++;
    do {
      // Look for a ']'; the first set item is taken even when it is ']'.
      if (p >= ms.patEnd) throwLuaError("malformed pattern (missing ']')");
      if (ms.pat.charCodeAt(p++) === L_ESC && p < ms.patEnd) p++; // skip escapes (e.g. '%]')
    } while (p >= ms.patEnd || ms.pat.charCodeAt(p) !== 93);
    return p + 1;
  }
  return p;
}

function match_class(c: number, cl: number): boolean {
  if ((cl & 0xc0) === 0x40) {
    const t = matchClassMap[cl & 0x1f];
    if (t !== 0) {
      const isa = (charBits[c] & t) !== 0;
      return (cl & 0x20) !== 0 ? isa : !isa;
    }
    if (cl === 122 /* z */) return c === 0;
    if (cl === 90 /* Z */) return c !== 0;
  }
  return cl === c;
}

/** c against the set [..] from p (the '[') to ec (its ']'). */
function matchbracketclass(ms: MatchState, c: number, p: number, ec: number): boolean {
  const pat = ms.pat;
  let sig = true;
  if (pat.charCodeAt(p + 1) === 94 /* ^ */) {
    sig = false;
    p++;
  }
  while (++p < ec) {
    const pc = pat.charCodeAt(p);
    if (pc === L_ESC) {
      p++;
      if (match_class(c, pat.charCodeAt(p))) return sig;
    } else if (pat.charCodeAt(p + 1) === 45 /* - */ && p + 2 < ec) {
      p += 2;
      if (pc <= c && c <= pat.charCodeAt(p)) return sig;
    } else if (pc === c) {
      return sig;
    }
  }
  return !sig;
}

function singlematch(ms: MatchState, c: number, p: number, ep: number): boolean {
  const pc = ms.pat.charCodeAt(p);
  switch (pc) {
    case 46: // '.'
      return true;
    case L_ESC:
      return match_class(c, ms.pat.charCodeAt(p + 1));
    case 91: // '['
      return matchbracketclass(ms, c, p, ep - 1);
    default:
      return pc === c;
  }
}

function matchbalance(ms: MatchState, s: number, p: number): number {
  if (p + 1 >= ms.patEnd) throwLuaError("unbalanced pattern");
  const src = ms.src;
  const b = ms.pat.charCodeAt(p);
  if (s >= ms.srcEnd || src.charCodeAt(s) !== b) return -1;
  const e = ms.pat.charCodeAt(p + 1);
  let cont = 1;
  while (++s < ms.srcEnd) {
    const c = src.charCodeAt(s);
    if (c === e) {
      if (--cont === 0) return s + 1;
    } else if (c === b) {
      cont++;
    }
  }
  return -1; // string ends out of balance
}

function max_expand(ms: MatchState, s: number, p: number, ep: number): number {
  const src = ms.src;
  let i = 0; // counts maximum expand for item
  while (s + i < ms.srcEnd && singlematch(ms, src.charCodeAt(s + i), p, ep)) i++;
  // Keep trying to match with the maximum repetitions, one fewer each time.
  while (i >= 0) {
    const res = match(ms, s + i, ep + 1);
    if (res !== -1) return res;
    i--;
  }
  return -1;
}

function min_expand(ms: MatchState, s: number, p: number, ep: number): number {
  for (;;) {
    const res = match(ms, s, ep + 1);
    if (res !== -1) return res;
    if (s < ms.srcEnd && singlematch(ms, ms.src.charCodeAt(s), p, ep)) s++;
    else return -1;
  }
}

function start_capture(ms: MatchState, s: number, p: number, what: number): number {
  const level = ms.level;
  if (level >= LUA_MAXCAPTURES) throwLuaError("too many captures");
  ms.capInit[level] = s;
  ms.capLen[level] = what;
  ms.level = level + 1;
  const res = match(ms, s, p);
  if (res === -1) ms.level--; // undo capture
  return res;
}

function end_capture(ms: MatchState, s: number, p: number): number {
  const l = capture_to_close(ms);
  ms.capLen[l] = s - ms.capInit[l]; // close capture
  const res = match(ms, s, p);
  if (res === -1) ms.capLen[l] = CAP_UNFINISHED; // undo capture
  return res;
}

function match_capture(ms: MatchState, s: number, l: number): number {
  l = check_capture(ms, l);
  const len = ms.capLen[l];
  // A position capture has a negative length: C compares it as a huge size_t and fails.
  if (len < 0 || ms.srcEnd - s < len) return -1;
  const src = ms.src;
  const init = ms.capInit[l];
  for (let i = 0; i < len; i++) {
    if (src.charCodeAt(init + i) !== src.charCodeAt(s + i)) return -1;
  }
  return s + len;
}

/** Matches the pattern from p against the subject from s: the end of the match, or -1. */
export function match(ms: MatchState, s: number, p: number): number {
  if (++ms.depth > MAXCCALLS) throwLuaError("pattern too complex");
  const pat = ms.pat;
  const patEnd = ms.patEnd;
  for (;;) {
    if (p >= patEnd) break; // end of pattern: match succeeded
    const pc = pat.charCodeAt(p);
    if (pc === 40 /* ( */) {
      if (pchar(ms, p + 1) === 41) s = start_capture(ms, s, p + 2, CAP_POSITION);
      else s = start_capture(ms, s, p + 1, CAP_UNFINISHED);
      break;
    }
    if (pc === 41 /* ) */) {
      s = end_capture(ms, s, p + 1);
      break;
    }
    if (pc === 36 /* $ */ && p + 1 === patEnd) {
      if (s !== ms.srcEnd) s = -1; // '$' anchors only as the last pattern char
      break;
    }
    if (pc === L_ESC && p + 1 < patEnd) {
      const nc = pat.charCodeAt(p + 1);
      if (nc === 98 /* b */) {
        s = matchbalance(ms, s, p + 2);
        if (s === -1) break;
        p += 4;
        continue;
      }
      if (nc === 102 /* f */) {
        p += 2;
        if (pchar(ms, p) !== 91) throwLuaError("missing '[' after '%f' in pattern");
        const ep = classend(ms, p);
        const previous = s === 0 ? 0 : ms.src.charCodeAt(s - 1);
        const current = s < ms.srcEnd ? ms.src.charCodeAt(s) : 0;
        if (matchbracketclass(ms, previous, p, ep - 1) || !matchbracketclass(ms, current, p, ep - 1)) {
          s = -1;
          break;
        }
        p = ep;
        continue;
      }
      if (nc >= 48 && nc <= 57) {
        // Back-reference %0-%9.
        s = match_capture(ms, s, nc);
        if (s === -1) break;
        p += 2;
        continue;
      }
    }
    // A single-char pattern item, maybe followed by a quantifier.
    const ep = classend(ms, p);
    const m = s < ms.srcEnd && singlematch(ms, ms.src.charCodeAt(s), p, ep);
    const q = pchar(ms, ep);
    if (q === 63 /* ? */) {
      if (m) {
        const res = match(ms, s + 1, ep + 1);
        if (res !== -1) {
          s = res;
          break;
        }
      }
      p = ep + 1;
      continue;
    }
    if (q === 42 /* * */) {
      s = max_expand(ms, s, p, ep);
      break;
    }
    if (q === 43 /* + */) {
      s = m ? max_expand(ms, s + 1, p, ep) : -1;
      break;
    }
    if (q === 45 /* - */) {
      s = min_expand(ms, s, p, ep);
      break;
    }
    if (!m) {
      s = -1;
      break;
    }
    s++;
    p = ep;
  }
  ms.depth--;
  return s;
}

/** Capture i of a successful match from s to e; the whole match when the pattern has no captures. */
export function push_onecapture(ms: MatchState, i: number, s: number, e: number): LuaValue {
  if (i >= ms.level) {
    if (i === 0) return ms.src.slice(s, e); // ms.level == 0, too
    return throwLuaError("invalid capture index");
  }
  const l = ms.capLen[i];
  if (l === CAP_UNFINISHED) throwLuaError("unfinished capture");
  const init = ms.capInit[i];
  if (l === CAP_POSITION) return init + 1;
  return ms.src.slice(init, init + l);
}

/** The captures of a match, appended to `out`; `whole` adds the whole match when there are no captures. */
export function push_captures(
  ms: MatchState,
  s: number,
  e: number,
  whole: boolean,
  out: LuaValue[],
): LuaValue[] {
  const nlevels = ms.level === 0 && whole ? 1 : ms.level;
  for (let i = 0; i < nlevels; i++) out.push(push_onecapture(ms, i, s, e));
  return out;
}

/** lj_str_haspattern: whether p holds any pattern special character (else find may search plainly). */
export function lj_str_haspattern(p: string): boolean {
  for (let i = 0; i < p.length; i++) {
    switch (p.charCodeAt(i)) {
      case 94: // ^
      case 36: // $
      case 42: // *
      case 43: // +
      case 63: // ?
      case 46: // .
      case 40: // (
      case 91: // [
      case 37: // %
      case 45: // -
        return true;
    }
  }
  return false;
}

// Pooled states: a gsub callback may run another match, so a state is taken for the duration of
// one library call. A call that raises simply never returns its state.
const pool: MatchState[] = [];

export function acquireState(src: string, pat: string): MatchState {
  const ms = pool.pop();
  if (ms === undefined) return new MatchState(src, pat);
  ms.reset(src, pat);
  return ms;
}

export function releaseState(ms: MatchState): void {
  ms.src = "";
  ms.pat = "";
  if (pool.length < 8) pool.push(ms);
}
