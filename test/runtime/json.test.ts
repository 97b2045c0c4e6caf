// JSON encoding and decoding of Lua values. The oracle here is Rover's JSON spec (array/object
// rules, key order, number and string forms, error messages), plus JSON.parse for validity.
import { test } from "node:test";
import assert from "node:assert/strict";
import { LuaTable, tableFrom } from "../../runtime/lua/table.ts";
import type { LuaValue } from "../../runtime/lua/value.ts";
import { Coroutine } from "../../runtime/lua/coroutine-type.ts";
import { jsonEncode, jsonDecode, JsonEncodeError, JsonDecodeError } from "../../runtime/lua/json.ts";
import { rng } from "../lib/random.ts";

const T = (items?: LuaValue[], pairs?: LuaValue[]) => tableFrom(items, pairs);
/** A Lua byte string from text (its UTF-8 bytes, one char per byte). */
const bytes = (s: string) => Buffer.from(s, "utf8").toString("latin1");
/** Decoded byte string back to text. */
const text = (s: string) => Buffer.from(s, "latin1").toString("utf8");

function encodeError(v: LuaValue, message: RegExp | string): void {
  assert.throws(
    () => jsonEncode(v),
    (e: unknown) =>
      e instanceof JsonEncodeError &&
      (typeof message === "string" ? e.message === message : message.test(e.message)),
  );
}

function decodeError(s: string, message: string): void {
  assert.throws(
    () => jsonDecode(s),
    (e: unknown) => {
      assert.ok(e instanceof JsonDecodeError, String(e));
      assert.equal(e.message, message);
      return true;
    },
  );
}

test("numbers: every double encodes as its shortest text, through the number cache too", () => {
  const r = rng(99);
  const values: number[] = [];
  for (let i = 0; i < 20000; i++) {
    const scale = 10 ** Math.floor(r() * 40 - 20);
    values.push((r() - 0.5) * scale, Math.round(r() * 1e6) / 100, -Math.floor(r() * 1e12));
  }
  // Twice: the second pass reads texts the first one cached (and colliding slots evicted).
  for (let pass = 0; pass < 2; pass++)
    for (const v of values) assert.equal(jsonEncode(v), Object.is(v, -0) ? "0" : String(v));
});

test("scalars", () => {
  assert.equal(jsonEncode(undefined), "null");
  assert.equal(jsonEncode(true), "true");
  assert.equal(jsonEncode(false), "false");
  assert.equal(jsonEncode(5), "5");
  assert.equal(jsonEncode(-5), "-5");
  assert.equal(jsonEncode(5.0), "5");
  assert.equal(jsonEncode(0.1), "0.1");
  assert.equal(jsonEncode(-0), "0");
  assert.equal(jsonEncode(1e21), "1e+21");
  assert.equal(jsonEncode(1e20), "100000000000000000000");
  assert.equal(jsonEncode(1.5e-7), "1.5e-7");
  assert.equal(jsonEncode(2 ** 53 + 2), "9007199254740994");
  assert.equal(jsonEncode(5e-324), "5e-324");
  assert.equal(jsonEncode(NaN), "null");
  assert.equal(jsonEncode(Infinity), "null");
  assert.equal(jsonEncode(-Infinity), "null");
  assert.equal(jsonEncode("hi"), '"hi"');
  assert.equal(jsonEncode(""), '""');
});

test("arrays are exactly the tables with keys 1..n", () => {
  assert.equal(jsonEncode(T([1, 2, 3])), "[1,2,3]");
  assert.equal(jsonEncode(T(["a", true, T([])])), '["a",true,{}]');
  assert.equal(jsonEncode(T()), "{}");
  const empty = T();
  empty.jsonArray = true;
  assert.equal(jsonEncode(empty), "[]");
  // A hole makes it an object (keys as strings, holes skipped).
  assert.equal(jsonEncode(T([1, undefined, 3])), '{"1":1,"3":3}');
  // Other keys make it an object: array-part keys first, then the hash part in insertion order.
  assert.equal(
    jsonEncode(T([1, 2], ["x", "y", 10, "ten", 1.5, "f"])),
    '{"1":1,"2":2,"x":"y","10":"ten","1.5":"f"}',
  );
  // Sparse integer keys only.
  assert.equal(jsonEncode(T(undefined, [2, "b", 1, "a"])), '["a","b"]'); // key 2 moved into the array part
  const sparse = new LuaTable();
  sparse.set(3, "c");
  sparse.set(1, "a");
  assert.equal(jsonEncode(sparse), '{"1":"a","3":"c"}');
  // A jsonArray table that gained keys is whatever its keys say.
  const flagged = T([1]);
  flagged.jsonArray = true;
  flagged.setStr("k", 2);
  assert.equal(jsonEncode(flagged), '{"1":1,"k":2}');
  // Metatables are ignored.
  const withMeta = T([1]);
  withMeta.metatable = T(undefined, ["__index", T([9, 9])]);
  assert.equal(jsonEncode(withMeta), "[1]");
});

test("object keys keep insertion order and __rover_ keys are hidden", () => {
  const t = new LuaTable();
  for (const k of ["zeta", "alpha", "mid", "__proto__", "constructor", "__rover_secret", "1"])
    t.setStr(k, k.length);
  // String keys keep the position of their first insertion, integer-like strings ("1") too.
  assert.equal(jsonEncode(t), '{"zeta":4,"alpha":5,"mid":3,"__proto__":9,"constructor":11,"1":1}');
  t.setStr("alpha", undefined);
  assert.equal(jsonEncode(t), '{"zeta":4,"mid":3,"__proto__":9,"constructor":11,"1":1}');
  t.setStr("alpha", 0);
  assert.equal(jsonEncode(t), '{"zeta":4,"alpha":0,"mid":3,"__proto__":9,"constructor":11,"1":1}');
  // Hidden keys do not stop a table from being an array.
  const a = T([1, 2], ["__rover_kind", "list"]);
  assert.equal(jsonEncode(a), "[1,2]");
  const onlyHidden = T(undefined, ["__rover_x", 1]);
  assert.equal(jsonEncode(onlyHidden), "{}");
});

test("bad keys and values are JsonEncodeErrors", () => {
  encodeError(() => 1, "cannot serialize a function value");
  encodeError(T([1, () => 1]), "cannot serialize a function value");
  encodeError(T(undefined, ["f", () => 1]), "cannot serialize a function value");
  encodeError(new Coroutine(() => undefined) as unknown as LuaValue, "cannot serialize a thread value");
  encodeError(T(undefined, [true, 1]), /boolean key/);
  encodeError(T(undefined, [T(), 1]), /table key/);
  const k = new LuaTable();
  k.set(() => 1, 1);
  encodeError(k, /function key/);
  encodeError({} as unknown as LuaValue, "cannot serialize a userdata value");
});

test("nesting deeper than 64 levels fails (cycles too)", () => {
  let t = T([1]);
  for (let i = 1; i < 64; i++) t = T([t]);
  assert.equal(jsonEncode(t), "[".repeat(64) + "1" + "]".repeat(64));
  encodeError(T([t]), "nesting deeper than 64 levels (cycle?)");
  const cyc = new LuaTable();
  cyc.setStr("self", cyc);
  encodeError(cyc, "nesting deeper than 64 levels (cycle?)");
});

test("strings: escapes, raw UTF-8, U+FFFD for invalid bytes", () => {
  assert.equal(jsonEncode('a"b\\c'), '"a\\"b\\\\c"');
  assert.equal(jsonEncode("\n\r\t\b\f"), '"\\n\\r\\t\\b\\f"');
  assert.equal(jsonEncode("\x00\x01\x1f\x7f"), '"\\u0000\\u0001\\u001f\x7f"');
  assert.equal(jsonEncode("/"), '"/"');
  const utf8 = bytes("héllo wörld 日本 😀");
  assert.equal(jsonEncode(utf8), '"' + utf8 + '"');
  // Each maximal ill-formed subsequence becomes one U+FFFD (EF BF BD), like TextDecoder.
  const cases = [
    "\xff",
    "\x80",
    "a\xc3",
    "\xc3(",
    "\xe2\x82",
    "\xe2\x82(",
    "\xe0\x80\x80",
    "\xed\xa0\x80",
    "\xf0\x9f\x98",
    "\xf4\x90\x80\x80",
    "\xf5\x80",
    "\xc0\xaf",
    "ok\xe9t\xe9",
    "\xf0\x9f\x98\x80\xff\xe2\x82\xac",
  ];
  for (const s of cases) {
    const out = jsonEncode(s);
    const expected = JSON.stringify(new TextDecoder().decode(Buffer.from(s, "latin1")));
    assert.equal(text(out), expected, JSON.stringify(s));
    assert.equal(Buffer.from(out, "latin1").toString("utf8"), expected); // valid UTF-8 throughout
  }
});

test("encoded output parses with JSON.parse", () => {
  const t = T(
    [1, "two", T([3, 4]), false],
    ["name", bytes("Zoë"), "nested", T(undefined, ["deep", T([T(undefined, ["x", 1])])]), "n", -12.5e-3],
  );
  const s = jsonEncode(t);
  assert.deepEqual(JSON.parse(text(s)), {
    1: 1,
    2: "two",
    3: [3, 4],
    4: false,
    name: "Zoë",
    nested: { deep: [{ x: 1 }] },
    n: -0.0125,
  });
});

test("decode: values, arrays with holes, objects without null members", () => {
  assert.equal(jsonDecode("5"), 5);
  assert.equal(jsonDecode(" -0 "), -0);
  assert.ok(Object.is(jsonDecode("-0"), -0));
  assert.equal(jsonDecode("1.5e3"), 1500);
  assert.equal(jsonDecode("123456789012345678901"), Number("123456789012345678901"));
  assert.equal(jsonDecode("1e400"), Infinity);
  assert.equal(jsonDecode("0.1"), 0.1);
  assert.equal(jsonDecode("true"), true);
  assert.equal(jsonDecode("false"), false);
  assert.equal(jsonDecode("null"), undefined);
  assert.equal(jsonDecode('"x"'), "x");
  const arr = jsonDecode("[1, null, 3, null]") as LuaTable;
  assert.ok(arr.jsonArray);
  assert.deepEqual(arr.arr, [1, undefined, 3]);
  assert.equal(arr.getNum(2), undefined);
  assert.equal(arr.getNum(3), 3);
  const empty = jsonDecode("[]") as LuaTable;
  assert.ok(empty.jsonArray);
  assert.equal(jsonEncode(empty), "[]");
  assert.equal(jsonEncode(jsonDecode("{}")), "{}");
  const obj = jsonDecode('{"b": 1, "a": null, "c": [true], "b": 2, "1": "one"}') as LuaTable;
  assert.equal(obj.getStr("b"), 2);
  assert.equal(obj.getStr("a"), undefined);
  assert.equal(obj.getStr("1"), "one");
  assert.equal(obj.getNum(1), undefined); // "1" stays a string key
  assert.deepEqual(liveKeys(obj), ["b", "c", "1"]);
  assert.equal(jsonEncode(obj), '{"b":2,"c":[true],"1":"one"}');
  const dup = jsonDecode('{"a": 1, "a": null}') as LuaTable;
  assert.equal(dup.getStr("a"), undefined);
  const proto = jsonDecode('{"__proto__": {"polluted": true}, "constructor": 1}') as LuaTable;
  assert.ok(proto.getStr("__proto__") instanceof LuaTable);
  assert.equal(proto.getStr("constructor"), 1);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test("decode: strings are UTF-8 byte strings", () => {
  assert.equal(text(jsonDecode('"h\\u00e9llo"') as string), "héllo");
  assert.equal(jsonDecode('"\\u00e9"'), "\xc3\xa9");
  assert.equal(jsonDecode('"\\ud83d\\ude00"'), bytes("😀"));
  assert.equal(jsonDecode('"\\u20AC"'), bytes("€"));
  assert.equal(jsonDecode('"\\"\\\\\\/\\b\\f\\n\\r\\t"'), '"\\/\b\f\n\r\t');
  assert.equal(jsonDecode('"\\u0000"'), "\x00");
  // Lone surrogates have no UTF-8 form: U+FFFD.
  assert.equal(jsonDecode('"\\ud83d"'), "\xef\xbf\xbd");
  assert.equal(jsonDecode('"\\ude00x"'), "\xef\xbf\xbdx");
  assert.equal(jsonDecode('"\\ud83d\\u0041"'), "\xef\xbf\xbdA");
  // Raw UTF-8 passes through; ill-formed bytes become U+FFFD.
  assert.equal(jsonDecode(Buffer.from('"日本"', "utf8")), bytes("日本"));
  assert.equal(
    jsonDecode(Buffer.from([0x22, 0x61, 0xff, 0x62, 0xe2, 0x82, 0x22])),
    "a\xef\xbf\xbdb\xef\xbf\xbd",
  );
  const key = jsonDecode(Buffer.from('{"clé": "v"}', "utf8")) as LuaTable;
  assert.equal(key.getStr(bytes("clé")), "v");
});

test("decode errors", () => {
  decodeError("", "Unexpected end of JSON input at position 0");
  decodeError("   ", "Unexpected end of JSON input at position 3");
  decodeError('{"a": 1', "Unexpected end of JSON input at position 7");
  decodeError('{"abc": ', "Unexpected end of JSON input at position 8");
  decodeError('[1, 2, "x', "Unexpected end of JSON input at position 9");
  decodeError("[1, 2,]", "Unexpected character ']' at position 6");
  decodeError('{"a": 1,}', "Unexpected character '}' at position 8");
  decodeError("{a: 1}", "Unexpected character 'a' at position 1");
  decodeError("[1 2]", "Unexpected character '2' at position 3");
  decodeError("tru", "Unexpected end of JSON input at position 3");
  decodeError("trux", "Unexpected character 'x' at position 3");
  decodeError("nul", "Unexpected end of JSON input at position 3");
  decodeError("01", "Unexpected character '1' at position 1");
  decodeError("1.", "Unexpected end of JSON input at position 2");
  decodeError("1.e5", "Unexpected character 'e' at position 2");
  decodeError("-", "Unexpected end of JSON input at position 1");
  decodeError("-a", "Unexpected character 'a' at position 1");
  decodeError("+1", "Unexpected character '+' at position 0");
  decodeError(".5", "Unexpected character '.' at position 0");
  decodeError("1e", "Unexpected end of JSON input at position 2");
  decodeError("1e+", "Unexpected end of JSON input at position 3");
  decodeError("NaN", "Unexpected character 'N' at position 0");
  decodeError("Infinity", "Unexpected character 'I' at position 0");
  decodeError("'x'", "Unexpected character ''' at position 0");
  decodeError("[1] x", "Unexpected character 'x' at position 4");
  decodeError("1 2", "Unexpected character '2' at position 2");
  decodeError('"a\nb"', "Bad control character in string literal at position 2");
  decodeError('"\\x"', "Unexpected character 'x' at position 2");
  decodeError('"\\u12G4"', "Unexpected character 'G' at position 5");
  decodeError('"\\u12', "Unexpected end of JSON input at position 5");
  decodeError("\xef\xbb\xbf{}", "Unexpected byte 0xef at position 0");
  decodeError("{}\x00", "Unexpected byte 0x00 at position 2");
  decodeError("/* c */ 1", "Unexpected character '/' at position 0");
  decodeError('{"a" 1}', "Unexpected character '1' at position 5");
  decodeError('{"a":1 "b":2}', "Unexpected character '\"' at position 7");
  decodeError("[\v1]", "Unexpected byte 0x0b at position 1");
});

test("decode depth limit is 512", () => {
  const ok = "[".repeat(512) + "]".repeat(512);
  let t = jsonDecode(ok) as LuaTable;
  for (let i = 1; i < 512; i++) t = t.getNum(1) as LuaTable;
  assert.equal(t.length(), 0);
  decodeError("[".repeat(513) + "]".repeat(513), "Nesting deeper than 512 levels at position 512");
  decodeError('{"a":'.repeat(513) + "1" + "}".repeat(513), "Nesting deeper than 512 levels at position 2560");
});

test("round trips", () => {
  const docs = [
    '{"id":1,"name":"x","tags":["a","b"],"meta":{"created":1700000000,"score":-1.25,"ok":true}}',
    "[[],{},[[]],[{}],0,-1,1e+21,1.5e-7,true,false]",
    '{"emoji":"😀","accents":"éàü","cjk":"日本語","escapes":"\\n\\t\\"\\\\\\u0001"}',
    '{"z":1,"y":2,"x":3,"w":{"b":1,"a":2}}',
    '"just a string"',
    "12345",
  ];
  for (const d of docs) {
    const s = jsonEncode(jsonDecode(Buffer.from(d, "utf8")));
    assert.equal(text(s), JSON.stringify(JSON.parse(d)), d);
  }
});

test("big arrays and objects are fast and exact", () => {
  const n = 200000;
  const items: LuaValue[] = [];
  for (let i = 0; i < n; i++)
    items.push(i % 3 === 0 ? i : i % 3 === 1 ? "s" + i : T(undefined, ["k", i / 4]));
  const big = T(items);
  const t0 = performance.now();
  const s = jsonEncode(big);
  const back = jsonDecode(s) as LuaTable;
  const ms = performance.now() - t0;
  assert.equal(back.length(), n);
  assert.equal(jsonEncode(back), s);
  assert.deepEqual(JSON.parse(text(s)).slice(0, 3), [0, "s1", { k: 0.5 }]);
  assert.ok(ms < 2000, "encode+decode of 200k items took " + ms + "ms");
  const wide = new LuaTable();
  for (let i = 0; i < 50000; i++) wide.setStr("key" + i, i);
  const ws = jsonEncode(wide);
  const wb = jsonDecode(ws) as LuaTable;
  assert.equal(wb.getStr("key49999"), 49999);
  assert.deepEqual(liveKeys(wb).slice(0, 3), ["key0", "key1", "key2"]);
});

/** String keys with a value, in iteration order. */
function liveKeys(t: LuaTable): string[] {
  const keys: string[] = [];
  t.forEach((k) => {
    if (typeof k === "string") keys.push(k);
  });
  return keys;
}
