// Differential tests of the bit library: each case runs in real LuaJIT (one batched process)
// and against createBitLib() from JS; the encoded results must be identical.
import { test } from "node:test";
import { type Case, compare, libCall } from "../lib/oracle.ts";
import assert from "node:assert/strict";
import { LuaTable } from "../../runtime/lua/table.ts";
import type { LuaValue } from "../../runtime/lua/value.ts";
import { Multi } from "../../runtime/lua/multi.ts";
import { createBitLib } from "../../runtime/lua/stdlib/bit.ts";

const lib = createBitLib();

const call = (name: string, ...args: LuaValue[]): Case => libCall(lib, "bit", name, ...args);

const NUMBERS = [
  0,
  1,
  -1,
  2.5,
  3.5,
  -2.5,
  -3.5,
  0.5,
  -0.5,
  1.5,
  2 ** 31,
  -(2 ** 31),
  2 ** 32,
  2 ** 32 + 7,
  -(2 ** 32) - 7,
  2 ** 52,
  2 ** 53 + 2,
  2 ** 51 + 0.5,
  2 ** 63,
  1e300,
  -1e300,
  5e-324,
  NaN,
  Infinity,
  -Infinity,
  0x12345678,
  0x87654321,
  0xdeadbeef,
  4294967295,
  123456.789,
  -0,
];

test("tobit, bnot, bswap normalise like lj_num2bit", () => {
  const cases: Case[] = [];
  for (const name of ["tobit", "bnot", "bswap"]) {
    for (const x of NUMBERS) cases.push(call(name, x));
    cases.push(call(name, "0xff"), call(name, " 12 "), call(name, "1e3"), call(name, "x"), call(name));
    cases.push(call(name, undefined), call(name, true), call(name, new LuaTable()));
  }
  compare(cases);
});

test("shifts and rotations", () => {
  const cases: Case[] = [];
  const counts = [0, 1, 4, 8, 31, 32, 33, 36, -1, -4, 2.5, 1e10];
  for (const name of ["lshift", "rshift", "arshift", "rol", "ror"]) {
    for (const x of [1, -1, -256, 0x12345678, 0x87654321, 2 ** 40 + 3, 1.5]) {
      for (const n of counts) cases.push(call(name, x, n));
    }
    cases.push(call(name, 1), call(name, 1, undefined), call(name, "8", "1"), call(name, 1, "x"), call(name));
  }
  compare(cases);
});

test("band, bor, bxor are variadic", () => {
  const cases: Case[] = [];
  for (const name of ["band", "bor", "bxor"]) {
    cases.push(call(name, 0x0f0f, 0x00ff), call(name, -1, 0x12345678, 0xff00ff), call(name, 7));
    cases.push(
      call(name, 2 ** 32 + 5, 3.5),
      call(name, "0xf0", "0x3c"),
      call(name, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    );
    cases.push(call(name), call(name, 1, undefined), call(name, 1, 2, "x"), call(name, undefined));
  }
  compare(cases);
});

test("tohex", () => {
  const cases: Case[] = [];
  for (const x of [0x12345678, -1, 255, 0, 0xabcdef, 2 ** 40 + 5, -0.5, 1e300]) {
    cases.push(call("tohex", x));
    for (const n of [
      0,
      1,
      2,
      7,
      8,
      9,
      12,
      16,
      17,
      100,
      253,
      254,
      255,
      300,
      -1,
      -2,
      -8,
      -9,
      -255,
      -(2 ** 31),
      2 ** 32 + 3,
    ]) {
      cases.push(call("tohex", x, n));
    }
  }
  cases.push(call("tohex", "0xff", "2"), call("tohex", 1, undefined), call("tohex"), call("tohex", "x"));
  compare(cases);
});

test("bit functions carry their names", () => {
  let e = lib.next(undefined);
  let count = 0;
  while (e !== undefined) {
    assert.equal((e[1] as () => void).name, e[0]);
    count++;
    e = lib.next(e[0]);
  }
  assert.equal(count, 12);
  assert.ok(new Multi([]).values.length === 0);
});
