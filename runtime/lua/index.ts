// What compiled Lua code imports (as `$name`). Keep this list to the helpers the compiler
// emits; the bundler tree-shakes whatever a program does not use.
export { LuaTable, tableOf, newStrs, EMPTY_STRS } from "./table.ts";
export { Multi, EMPTY, first, spread, fromArray, multiTail } from "./multi.ts";
export {
  add,
  sub,
  mul,
  div,
  mod,
  pow,
  modNum,
  powNum,
  unm,
  concat,
  eq,
  lt,
  le,
  gt,
  ge,
  len,
  truthy,
  index,
  indexStr,
  setIndex,
  callable,
  forNum,
  append,
} from "./ops.ts";
export { forIteratorOf, forIteratorList } from "./iterate.ts";
export { withGenerator, gcall } from "./coroutine.ts";
export { indexG, setIndexG } from "./ops-gen.ts";
export * from "../rover/guard-aot.ts";
export { jsonValue, jsonString, jsonNumber, jsonKeys, jsonRest } from "./json.ts";
