// Marker type for coroutine objects (type() is "thread"). The implementation lands with
// the coroutine work (issue 3); values of this class never appear before then.
export class Coroutine {
  status: "suspended" | "running" | "normal" | "dead" = "suspended";
}
