// Differential tests of the os library: each case runs in real LuaJIT (one batched process, TZ
// pinned) and against createOsLib() from JS with the same TZ; encoded results must be identical.
import { test } from "node:test";
import { spawnSync } from "node:child_process";
import { LuaError } from "../../runtime/lua/errors.ts";
import { type Case, compare, libCall, luajitLines, runJs } from "../lib/oracle.ts";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LuaTable, tableFrom } from "../../runtime/lua/table.ts";
import type { LuaValue } from "../../runtime/lua/value.ts";
import { Multi } from "../../runtime/lua/multi.ts";
import { ExitSignal } from "../../runtime/lua/stdlib/base.ts";
import { createOsLib } from "../../runtime/lua/stdlib/os.ts";

process.env.TZ = "UTC"; // Node re-reads the zone when TZ is assigned
let luaEnv: Record<string, string> = { ...(process.env as Record<string, string>), TZ: "UTC" };

const lib = createOsLib();

const call = (name: string, ...args: LuaValue[]): Case => libCall(lib, "os", name, ...args);

/** A date table {year=..., ...} from a flat list of key, value pairs. */
const D = (...pairs: LuaValue[]) => tableFrom(undefined, pairs);

const TIMES = [
  0,
  1700000000,
  1700000000.7,
  -0.5,
  -1,
  86399,
  951782400,
  951868800,
  1230768000,
  1262304000,
  1293840000,
  1609459199,
  1609459200,
  1640995200,
  1672531199,
  2147483647,
  2147483648,
  4102444800,
  -2208988800,
  -62135596800,
  -62167132800,
  -62167219200,
  -100000000000,
  253402300799,
  1e11,
  1e15,
  67767976233532792,
  67767976233532800,
  -67768040609740800,
  -67768040609740808,
  NaN,
  Infinity,
  -Infinity,
  9.3e18,
];

const FORMATS = [
  "%a %A %b %B %d %H %I %j %m %M %p %S %U %w %W %y %Y %%",
  "%c|%x|%X|%D|%F|%R|%r|%T|%h|%e|%k|%l|%n|%t|%P|%u|%V|%g|%G|%C|%s|%z|%Z",
  "%Ec|%EC|%Ex|%EX|%Ey|%EY|%Od|%Oe|%OH|%OI|%Om|%OM|%OS|%Ou|%OU|%OV|%Ow|%OW|%Oy|%Ob|%OB|%Oh",
  "%Ea|%EA|%Eb|%EB|%Ed|%Ee|%EH|%Ej|%Ox|%OX|%OY|%OC|%OZ|%Oz|%E%|%O%|%Q|%+|%N|%:z|%v|%i",
  "%-d|%_d|%0e|%-e|%_H|%-j|%_j|%5Y|%-5d|%_5d|%05d|%010Y|%3a|%10A|%^a|%#a|%^B|%#b|%#p|%^p|%#P|%^P|%#Z|%^Z",
  "%^c|%#c|%12c|%_12F|%012F|%12x|%-10T|%3%|%05%|%10n|%_3t|%8z|%-8z|%_8z|%08s|%_12s|%-12s|%^10b|%010a",
  "%",
  "abc%",
  "%10",
  "%E",
  "%O",
  "%_",
  "%-",
  "%^",
  "%#",
  "%5E",
  "%E%",
  "%_E",
  "plain text, no conversions",
  "",
  "a\0b%Y",
  "*t",
  "!*t",
  "*t\0x",
];

test("os.date formats every conversion as glibc's strftime does", () => {
  const cases: Case[] = [];
  for (const t of TIMES) {
    for (const f of FORMATS) {
      cases.push(call("date", f, t));
      if (f[0] !== "!") cases.push(call("date", "!" + f, t));
    }
  }
  compare(cases, { env: luaEnv });
});

test("os.date arguments", () => {
  compare(
    [
      call("date", 5, 0),
      call("date", undefined, 0),
      call("date", "%Y", "1e9"),
      call("date", "%Y", " 0x10 "),
      call("date", new LuaTable(), 0),
      call("date", "%c", "x"),
      call("date", "%c", new LuaTable()),
      call("date", "x%1000Y", 0),
      call("date", "%1000Y"),
      call("date", "%200Y|%Y", 7),
    ],
    { env: luaEnv },
  );
});

test("os.time normalises date tables like mktime", () => {
  compare(
    [
      call("time", D("year", 2023, "month", 11, "day", 14, "hour", 22, "min", 13, "sec", 20)),
      call("time", D("year", 2023, "month", 11, "day", 14)),
      call("time", D("year", 2023, "month", 11, "day", 14, "isdst", true)),
      call("time", D("year", 2023, "month", 11, "day", 14, "isdst", false)),
      call("time", D("year", 2023, "month", 11, "day", 14, "isdst", 0)),
      call("time", D("year", 2023, "month", 14, "day", -3, "hour", -5, "min", 200, "sec", -7)),
      call("time", D("year", 2024, "month", 2, "day", 30)),
      call("time", D("year", 2023, "month", 0, "day", 0)),
      call("time", D("year", 2023, "month", -13, "day", 400)),
      call("time", D("year", 1969, "month", 12, "day", 31, "hour", 23, "min", 59, "sec", 59)),
      call("time", D("year", 1969, "month", 12, "day", 31, "hour", 23, "min", 59, "sec", 58)),
      call("time", D("year", "2023", "month", "11", "day", "14.9", "hour", " 3 ")),
      call("time", D("year", 2023.9, "month", 1.9, "day", 1.9, "hour", -1.9)),
      call("time", D("year", 2023, "month", 11, "day", 14, "hour", "x")),
      call("time", D("year", 2023, "month", 11)),
      call("time", D("year", 2023, "day", 11)),
      call("time", D("month", 1, "day", 11)),
      call("time", D("year", 2023, "month", 11, "day", true)),
      call("time", D("year", 2 ** 31 + 5, "month", 1, "day", 1)),
      call("time", D("year", 1e12, "month", 1, "day", 1)),
      call("time", D("year", -1e9, "month", 1, "day", 1)),
      call("time", D("year", 2 ** 40, "month", 1, "day", 1)),
      call("time", D("year", 2023, "month", 2 ** 31, "day", 1)),
      call("time", D("year", 0, "month", 1, "day", 1)),
      call("time", D("year", -4713, "month", 11, "day", 24)),
      call("time", D("year", 2147483647, "month", 12, "day", 31, "hour", 23)),
      call("time", D("year", 2147483647, "month", 13, "day", 1)),
      call("time", D("year", 1e30, "month", 1, "day", 1)),
      call("time", D("year", 2023, "month", 1, "day", 1, "sec", 2 ** 31 - 1, "min", 2 ** 31 - 1)),
      call("time", 5),
      call("time", "x"),
      {
        // Fields are read with metamethods (lua_getfield).
        lua: "return pack(os.time(setmetatable({}, {__index = function(t, k) return ({year = 2000, month = 1, day = 1})[k] end})))",
        js: () => {
          const t = new LuaTable();
          const mt = new LuaTable();
          const fields = D("year", 2000, "month", 1, "day", 1);
          mt.setStr("__index", (_t: LuaValue, k: string) => fields.getStr(k));
          t.metatable = mt;
          return call("time", t).js();
        },
      },
      {
        // os.date("*t") round-trips through os.time.
        lua: "return pack(os.time(os.date('*t', 1700000000)), os.time(os.date('!*t', 1234567890)))",
        js: () => {
          const date = lib.getStr("date") as (...a: LuaValue[]) => LuaValue;
          const time = lib.getStr("time") as (t: LuaValue) => LuaValue;
          return new Multi([time(date("*t", 1700000000)), time(date("!*t", 1234567890))]);
        },
      },
    ],
    { env: luaEnv },
  );
});

test("os.time() and os.date() without a time use the clock", () => {
  const now = Math.floor(Date.now() / 1000);
  const t = (lib.getStr("time") as () => number)();
  assert.ok(t >= now && t <= now + 2);
  const d = (lib.getStr("date") as (f?: string) => string)("!%Y-%m-%d");
  assert.equal(d, new Date().toISOString().slice(0, 10));
  assert.match(
    (lib.getStr("date") as () => string)(),
    /^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d+$/,
  );
});

test("os.date and os.time in a zone with DST", () => {
  process.env.TZ = "America/New_York";
  luaEnv = { ...luaEnv, TZ: "America/New_York" };
  try {
    const cases: Case[] = [];
    for (const t of [
      0, 1700000000, 1690000000, 1678604400, 1678604399, 1699163999, 1699164000, -2208988800,
    ]) {
      cases.push(call("date", "%c %Z %z %s|%H:%M", t), call("date", "*t", t), call("date", "!%c %Z %z", t));
    }
    for (const [m, d, h, dst] of [
      [7, 1, 12, undefined],
      [1, 1, 12, undefined],
      [7, 1, 12, false],
      [1, 1, 12, true],
      [3, 12, 2, undefined],
      [3, 12, 3, undefined],
      [11, 5, 1, undefined],
      [11, 5, 1, true],
      [11, 5, 1, false],
    ] as const) {
      cases.push(call("time", D("year", 2023, "month", m, "day", d, "hour", h, "isdst", dst)));
    }
    compare(cases, { env: luaEnv });
  } finally {
    process.env.TZ = "UTC";
    luaEnv = { ...luaEnv, TZ: "UTC" };
  }
});

test("clock, difftime, getenv, setlocale, execute", () => {
  const clock = lib.getStr("clock") as () => number;
  const c0 = clock();
  let x = 0;
  for (let i = 0; i < 3e6; i++) x += Math.sqrt(i);
  assert.ok(x > 0 && clock() > c0 && c0 >= 0);
  process.env.ROVER_OS_TEST = "caf\u00e9";
  luaEnv = { ...luaEnv, ROVER_OS_TEST: "caf\u00e9" };
  compare(
    [
      call("difftime", 5.7, 1.2),
      call("difftime", 3),
      call("difftime", "4", "1"),
      call("difftime", 1e10, -1e10),
      call("difftime"),
      call("difftime", "x"),
      call("getenv", "ROVER_OS_TEST"),
      call("getenv", "ROVER_OS_TEST_NOT_SET"),
      call("getenv"),
      call("getenv", 5),
      call("setlocale"),
      call("setlocale", "C"),
      call("setlocale", "POSIX"),
      call("setlocale", "xx_NOT_A_LOCALE"),
      call("setlocale", undefined, "time"),
      call("setlocale", "C", "all"),
      call("setlocale", "C", "foo"),
      call("setlocale", new LuaTable()),
    ],
    { env: luaEnv },
  );
  assert.equal((lib.getStr("execute") as () => number)(), 0); // no shell for route files
  assert.throws(() => (lib.getStr("execute") as (c: string) => number)("ls"), /not available in Rover/);
});

test("exit throws ExitSignal with LuaJIT's status", () => {
  const exit = lib.getStr("exit") as (...a: LuaValue[]) => never;
  for (const [args, lua] of [
    [[], ""],
    [[3], "3"],
    [[true], "true"],
    [[false], "false"],
    [["7"], "'7'"],
    [[2.9], "2.9"],
    [[undefined, true], "nil, true"],
  ] as [LuaValue[], string][]) {
    const p = spawnSync("luajit", ["-e", `os.exit(${lua})`]);
    let code: number | undefined;
    try {
      exit(...args);
    } catch (e) {
      assert.ok(e instanceof ExitSignal);
      code = e.code;
    }
    assert.equal(code, p.status, "os.exit(" + lua + ")");
  }
  assert.throws(
    () => exit("x"),
    (e: unknown) => e instanceof LuaError && /bad argument #1 to 'exit'/.test(String(e.value)),
  );
});

test("remove, rename and tmpname work on real files", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rover-os-"));
  const luaDir = dir + "/lua";
  const jsDir = dir + "/js";
  fs.mkdirSync(luaDir);
  fs.mkdirSync(jsDir);
  for (const d of [luaDir, jsDir]) {
    fs.writeFileSync(d + "/a.txt", "a");
    fs.writeFileSync(d + "/b.txt", "b");
    fs.mkdirSync(d + "/empty");
    fs.mkdirSync(d + "/full");
    fs.writeFileSync(d + "/full/x", "x");
  }
  // Both sides see the same names relative to their own directory, so messages compare equal.
  const steps: [string, LuaValue[]][] = [
    ["remove", ["a.txt"]],
    ["remove", ["a.txt"]],
    ["remove", ["empty"]],
    ["remove", ["full"]],
    ["remove", ["missing/x"]],
    ["rename", ["b.txt", "c.txt"]],
    ["rename", ["b.txt", "d.txt"]],
    ["rename", ["c.txt", "full"]],
    ["rename", ["c.txt", "nodir/c.txt"]],
    ["remove", []],
    ["rename", ["x"]],
  ];
  const cwd = process.cwd();
  const cases = steps.map(([name, args]) => call(name, ...args));
  luaEnv = { ...luaEnv };
  const src = cases.map((c) => c.lua);
  try {
    process.chdir(luaDir);
    const expected = luajitLines(cases);
    process.chdir(jsDir);
    cases.forEach((c, i) => assert.equal(runJs(c), expected[i], "case: " + src[i]));
    assert.deepEqual(fs.readdirSync(jsDir).sort(), fs.readdirSync(luaDir).sort());
    const name = (lib.getStr("tmpname") as () => string)();
    assert.match(name, /^\/tmp\/lua_[A-Za-z0-9]{6}$/);
    assert.ok(fs.existsSync(name));
    fs.unlinkSync(name);
  } finally {
    process.chdir(cwd);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("os functions carry their names", () => {
  let e = lib.next(undefined);
  while (e !== undefined) {
    assert.equal((e[1] as () => void).name, e[0]);
    e = lib.next(e[0]);
  }
});
