// The body object returned by ctx:body() (ROVER_API.md §2.6): :json() (alias :raw()),
// :text() / :as_string() / :echo() for the raw bytes, :bytes(). JSON needs a JSON media type:
// application/json or any */*+json, case-insensitive, parameters ignored; a missing
// Content-Type is refused too (upstream accepts it; a client sending JSON says so).
import { LuaTable } from "../lua/table.ts";
import type { LuaValue } from "../lua/value.ts";
import { argError } from "../lua/args.ts";
import { jsonDecode, JsonDecodeError } from "../lua/json.ts";
import { raiseHttpError, UNSUPPORTED_MEDIA_TYPE, INVALID_JSON } from "./http-error.ts";

export class RequestBody extends LuaTable {
  readonly bytes: Buffer;
  readonly contentType: string | undefined;
  constructor(bytes: Buffer, contentType: string | undefined) {
    super();
    this.bytes = bytes;
    this.contentType = contentType;
    this.metatable = BODY_META;
  }
}

const BODY_METHODS = new LuaTable();
const BODY_META = new LuaTable();
BODY_META.setStr("__index", BODY_METHODS);

function method(name: string, f: (body: RequestBody) => LuaValue): void {
  const wrapped = (self: LuaValue): LuaValue => {
    if (!(self instanceof RequestBody)) argError(1, name, "body expected (call it as body:" + name + "())");
    return f(self);
  };
  Object.defineProperty(wrapped, "name", { value: name });
  BODY_METHODS.setStr(name, wrapped);
}

function json(body: RequestBody): LuaValue {
  const media = mediaType(body.contentType);
  if (!isJsonMediaType(media)) {
    raiseHttpError(
      UNSUPPORTED_MEDIA_TYPE.status,
      UNSUPPORTED_MEDIA_TYPE.code,
      "Unsupported Media Type (415): expected application/json, got " +
        (media === "" ? "no Content-Type" : media),
    );
  }
  try {
    return jsonDecode(body.bytes);
  } catch (e) {
    if (e instanceof JsonDecodeError)
      raiseHttpError(INVALID_JSON.status, INVALID_JSON.code, "JSON parsing failed: " + e.message);
    throw e;
  }
}

function text(body: RequestBody): LuaValue {
  return body.bytes.toString("latin1");
}

method("json", json);
method("raw", json); // upstream's deprecated alias
method("text", text);
method("as_string", text);
method("echo", text);
method("bytes", (body) => new LuaTable(Array.from(body.bytes)));
// TODO(issue 4): body:expect(schema) once rover.guard exists.

/** The media type of a Content-Type value: before ';', trimmed, lower case; "" when absent. */
export function mediaType(contentType: string | undefined): string {
  if (contentType === undefined) return "";
  const semi = contentType.indexOf(";");
  return (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
}

export function isJsonMediaType(media: string): boolean {
  if (media === "application/json") return true;
  // type/subtype+json with a non-empty type and subtype prefix ("application/vnd.api+json").
  const slash = media.indexOf("/");
  return slash > 0 && media.endsWith("+json") && media.length - slash > 6 && !media.includes(" ");
}
