// The opaque response object the builders return (a "userdata" to Lua: type() says so and
// indexing it raises), plus the content types Rover writes. Bodies are Lua byte strings;
// reply.ts turns them into Buffers once, at the edge.
import type { StreamSpec } from "./stream.ts";

export const JSON_TYPE = "application/json; charset=utf-8";
export const TEXT_TYPE = "text/plain; charset=utf-8";
export const HTML_TYPE = "text/html; charset=utf-8";
export const OCTET_TYPE = "application/octet-stream";

// Shared header records: reply.ts and the server only read them, never mutate them.
export const JSON_HEADERS: Readonly<Record<string, string>> = Object.freeze({ "content-type": JSON_TYPE });
export const TEXT_HEADERS: Readonly<Record<string, string>> = Object.freeze({ "content-type": TEXT_TYPE });
export const HTML_HEADERS: Readonly<Record<string, string>> = Object.freeze({ "content-type": HTML_TYPE });
export const OCTET_HEADERS: Readonly<Record<string, string>> = Object.freeze({ "content-type": OCTET_TYPE });
export const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});
export const SSE_TYPE = "text/event-stream";

/** Lower-case header names; a list value is sent as repeated headers (Set-Cookie). */
export type HeaderRecord = Readonly<Record<string, string | readonly string[]>>;

export class RoverResponse {
  readonly status: number;
  readonly headers: HeaderRecord;
  /** Byte string, or null for an empty body (204, redirects) or a streamed one. */
  readonly body: string | null;
  /** A streamed body (api:stream*, api.sse*), else null. */
  readonly stream: StreamSpec | null;
  constructor(status: number, headers: HeaderRecord, body: string | null, stream: StreamSpec | null = null) {
    this.status = status;
    this.headers = headers;
    this.body = body;
    this.stream = stream;
  }
}
