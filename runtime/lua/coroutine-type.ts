// A Lua coroutine (type "thread"). Rover runs coroutine bodies as JS generators: in an app
// that uses coroutines, every Lua function also gets a generator version (`f.$g`, see
// coroutine.ts), and code inside a coroutine calls those, so `coroutine.yield` can suspend
// the whole Lua call chain. Code outside coroutines runs the plain versions at full speed.
export class Coroutine {
  status: "suspended" | "running" | "normal" | "dead" = "suspended";
  /** The body, until the first resume starts it. */
  fn: ((...args: any[]) => any) | null;
  gen: Generator<any[], any, any[]> | null = null;
  constructor(fn: (...args: any[]) => any) {
    this.fn = fn;
  }
}
