// Coroutine machinery for compiled code: generator versions of functions (`$g`), the call
// helper generator code uses, and resume/yield. Only apps that mention `coroutine` are
// compiled with generator versions, so other apps never load or pay for any of this.
import { Coroutine } from "./coroutine-type.ts";
import { Multi, fromArray } from "./multi.ts";
import { callable, metamethod } from "./ops.ts";
import { LuaError, errorValue, throwLuaError } from "./errors.ts";
import { ExitSignal } from "./stdlib/base.ts";

export type GenFunction = (...args: any[]) => Generator<any[], any, any[]>;

/** Attaches the generator version to a compiled function: emitted as $fn(plain, gen). */
export function withGenerator<F extends (...args: any[]) => any>(plain: F, gen: GenFunction): F {
  (plain as any).$g = gen;
  return plain;
}

/** A call made from generator code: Lua functions run their generator version (yield* it). */
export function* gcall(f: any, d: string | undefined, ...args: any[]): Generator<any[], any, any[]> {
  if (typeof f === "function") {
    const g = f.$g;
    return g !== undefined ? yield* g(...args) : f(...args);
  }
  // A table with __call: its metamethod may yield too.
  const mm = metamethod(f, "__call") as any;
  if (typeof mm === "function" && mm.$g !== undefined) return yield* mm.$g(f, ...args);
  return callable(f, d)(...args);
}

/** The coroutine running now, innermost last; empty in the main thread. */
const running: Coroutine[] = [];

export function currentCoroutine(): Coroutine | undefined {
  return running[running.length - 1];
}

function start(co: Coroutine, args: any[]): Generator<any[], any, any[]> {
  const f = co.fn!;
  co.fn = null;
  const g = (f as any).$g as GenFunction | undefined;
  if (g !== undefined) return g(...args);
  // A native body (e.g. coroutine.wrap(print)): runs to completion on the first resume.
  // eslint-disable-next-line require-yield
  return (function* () {
    return f(...args);
  })();
}

/** Resumes `co`; returns [true, values...] or [false, error], as coroutine.resume does. */
export function resume(co: Coroutine, args: any[]): any[] {
  if (co.status === "dead") return [false, "cannot resume dead coroutine"];
  if (co.status !== "suspended") return [false, "cannot resume running coroutine"];
  const outer = currentCoroutine();
  if (outer !== undefined) outer.status = "normal";
  co.status = "running";
  running.push(co);
  try {
    let r: IteratorResult<any[], any>;
    if (co.gen === null) {
      co.gen = start(co, args);
      r = co.gen.next();
    } else {
      r = co.gen.next(args);
    }
    if (r.done) {
      co.status = "dead";
      co.gen = null;
      const v = r.value;
      return v instanceof Multi ? [true, ...v.values] : [true, v];
    }
    co.status = "suspended";
    return [true, ...r.value];
  } catch (e) {
    co.status = "dead";
    co.gen = null;
    if (e instanceof ExitSignal) throw e;
    return [false, errorValue(e)];
  } finally {
    running.pop();
    if (outer !== undefined) outer.status = "running";
  }
}

/** coroutine.yield called as a plain function: there is no generator frame to suspend. */
export function yieldPlain(): never {
  throwLuaError("attempt to yield across C-call boundary");
}

/** coroutine.yield from generator code: hands the values to resume, returns resume's arguments. */
export function* yieldGen(...values: any[]): Generator<any[], any, any[]> {
  if (currentCoroutine() === undefined) throwLuaError("attempt to yield across C-call boundary");
  const resumed = yield values;
  return fromArray(resumed);
}

export { LuaError };
