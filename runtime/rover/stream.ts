// Streamed response bodies (ROVER_API.md §3.8). The producer is a Lua function called with no
// arguments each time the socket wants more data (a Node Readable's read()), so a slow client
// slows the producer down instead of buffering everything. Chunked streams end at the first
// non-string; an error in the producer aborts the connection (headers are already sent).
// SSE producers return one frame per call: a string, a table {data, event, id, retry,
// comment}, or nil to end; an error or a bad value ends the stream cleanly and is logged.
import { Readable } from "node:stream";
import { LuaTable } from "../lua/table.ts";
import type { LuaValue, LuaFunction } from "../lua/value.ts";
import { first } from "../lua/multi.ts";
import { type } from "../lua/ops.ts";
import { tostring } from "../lua/tostring.ts";
import { numberToString } from "../lua/number.ts";
import { jsonEncode } from "../lua/json.ts";
import { errorValue } from "../lua/errors.ts";

/** What a streaming builder records; reply.ts turns it into a Readable per request. */
export interface StreamSpec {
  kind: "chunks" | "sse";
  producer: LuaFunction;
  /** SSE only: the retry: line of the first frame when > 0. */
  retry: number;
}

export type StreamLog = (message: string) => void;

export function streamReadable(spec: StreamSpec, log: StreamLog): Readable {
  return spec.kind === "chunks" ? chunkStream(spec.producer, log) : sseStream(spec, log);
}

function chunkStream(producer: LuaFunction, log: StreamLog): Readable {
  return new Readable({
    read() {
      // An empty string is no chunk (it would end a chunked body early): ask again.
      for (;;) {
        let v: LuaValue;
        try {
          v = first(producer());
        } catch (e) {
          log("Stream producer error: " + tostring(errorValue(e)));
          this.destroy(new Error("stream producer failed"));
          return;
        }
        if (typeof v !== "string") {
          this.push(null);
          return;
        }
        if (v.length > 0) {
          this.push(Buffer.from(v, "latin1"));
          return;
        }
      }
    },
  });
}

function sseStream(spec: StreamSpec, log: StreamLog): Readable {
  let firstFrame = true;
  // Automatic ids count per stream from 0 (upstream shares one counter across the process).
  const ids = { next: 0 };
  return new Readable({
    read() {
      let frame: string | null;
      try {
        frame = sseFrame(first(spec.producer()), ids);
      } catch (e) {
        log("SSE producer error: " + tostring(errorValue(e)));
        frame = null;
      }
      if (frame === null) {
        this.push(null);
        return;
      }
      if (firstFrame && spec.retry > 0) frame = "retry:" + spec.retry + "\n\n" + frame;
      firstFrame = false;
      this.push(Buffer.from(frame, "latin1"));
    },
  });
}

/** One SSE frame as a byte string (§3.8: no space after ':'), or null at the end of the stream. */
export function sseFrame(v: LuaValue, ids: { next: number }): string | null {
  if (v === undefined) return null;
  if (typeof v === "string") return "id:" + ids.next++ + "\n" + dataLines(v) + "\n";
  if (!(v instanceof LuaTable))
    throw new Error("SSE producer must return string, table, or nil, got " + type(v));
  let out = "";
  const retry = v.getStr("retry");
  if (retry !== undefined) out += "retry:" + oneLine("retry", tostring(retry)) + "\n\n";
  const comment = v.getStr("comment");
  // Each line of a comment is a comment line: a line break cannot start a field.
  if (comment !== undefined) out += prefixLines(":", tostring(comment)) + "\n";
  const id = v.getStr("id");
  if (id !== undefined && typeof id !== "string" && typeof id !== "number")
    throw new Error("SSE id must be string, got " + type(id));
  out += "id:" + (id === undefined ? String(ids.next++) : oneLine("id", tostring(id))) + "\n";
  const event = v.getStr("event");
  if (event !== undefined) {
    if (typeof event !== "string") throw new Error("SSE event name must be string, got " + type(event));
    out += "event:" + oneLine("event name", event) + "\n";
  }
  const data = v.getStr("data");
  let text: string;
  if (data === undefined) text = "";
  else if (typeof data === "string") text = data;
  else if (typeof data === "number") text = numberToString(data);
  else if (typeof data === "boolean") text = data ? "true" : "false";
  else if (data instanceof LuaTable) text = jsonEncode(data);
  else throw new Error("unsupported SSE data value: " + type(data));
  return out + dataLines(text) + "\n";
}

function dataLines(s: string): string {
  return prefixLines("data:", s);
}

function prefixLines(prefix: string, s: string): string {
  let out = "";
  for (const line of s.split(/\r\n|\r|\n/)) out += prefix + line + "\n";
  return out;
}

/** A field value on one line: a line break in it would start another field (an injection). */
function oneLine(field: string, s: string): string {
  if (/[\r\n]/.test(s)) throw new Error(`SSE ${field} must not contain a line break`);
  return s;
}
