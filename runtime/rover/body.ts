// The body object returned by ctx:body() (ROVER_API.md §2.6): :json() (alias :raw()),
// :text() / :as_string() / :echo() for the raw bytes, :bytes(). JSON needs a JSON media type:
// application/json or any */*+json, case-insensitive, parameters ignored; a missing
// Content-Type is refused too (upstream accepts it; a client sending JSON says so).
import { LuaTable } from "../lua/table.ts";
import type { LuaValue } from "../lua/value.ts";
import { argError, checkString } from "../lua/args.ts";
import { validate, schemaOf } from "./guard-compile.ts";
import { parseQuery } from "./decode.ts";
import { parseMultipart, boundaryOf, MultipartError } from "./multipart.ts";
import type { MultipartData, MultipartFile } from "./multipart.ts";
import { jsonDecode, JsonDecodeError } from "../lua/json.ts";
import {
  raiseHttpError,
  UNSUPPORTED_MEDIA_TYPE,
  INVALID_JSON,
  NOT_AN_OBJECT,
  BAD_MULTIPART,
} from "./http-error.ts";

export class RequestBody extends LuaTable {
  readonly bytes: Buffer;
  readonly contentType: string | undefined;
  /** Parsed on the first multipart method call. */
  parts: MultipartData | undefined;
  constructor(bytes: Buffer, contentType: string | undefined) {
    super();
    this.bytes = bytes;
    this.contentType = contentType;
    this.parts = undefined;
    this.metatable = BODY_META;
  }
}

const BODY_METHODS = new LuaTable();
const BODY_META = new LuaTable();
BODY_META.setStr("__index", BODY_METHODS);

function method(name: string, f: (body: RequestBody, arg: LuaValue) => LuaValue): void {
  const wrapped = (self: LuaValue, arg: LuaValue): LuaValue => {
    if (!(self instanceof RequestBody)) argError(1, name, "body expected (call it as body:" + name + "())");
    return f(self, arg);
  };
  Object.defineProperty(wrapped, "name", { value: name });
  BODY_METHODS.setStr(name, wrapped);
}

/** The body as JSON: a JSON media type (else 415), then strict JSON (else 400). Also used by guard-aot.ts. */
export function json(body: RequestBody): LuaValue {
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

// What :json() returns, when a table, has `:expect(schema)` (ROVER_API.md §2.6): the guard
// applied to the decoded data, as rover.guard(data, schema).
const JSON_METHODS = new LuaTable();
const JSON_META = new LuaTable();
JSON_META.setStr("__index", JSON_METHODS);
JSON_METHODS.setStr(
  "expect",
  Object.defineProperty(
    (data: LuaValue, schema: LuaValue) => {
      if (!(data instanceof LuaTable))
        argError(1, "expect", "table expected (call it as data:expect(schema))");
      if (!(schema instanceof LuaTable)) argError(2, "expect", "schema table expected");
      return validate(data, schemaOf(schema));
    },
    "name",
    { value: "expect" },
  ),
);

function jsonWithExpect(body: RequestBody): LuaValue {
  const data = json(body);
  if (data instanceof LuaTable) data.metatable = JSON_META;
  return data;
}

method("json", jsonWithExpect);
method("raw", jsonWithExpect); // upstream's deprecated alias
method("text", text);
method("as_string", text);
method("echo", text);
method("bytes", (body) => new LuaTable(Array.from(body.bytes)));
method("expect", (body, schema) => {
  if (!(schema instanceof LuaTable)) argError(1, "expect", "schema table expected");
  const data = json(body);
  // A JSON array is no object, even an empty one.
  if (!(data instanceof LuaTable) || data.jsonArray)
    raiseHttpError(NOT_AN_OBJECT.status, NOT_AN_OBJECT.code, "Request body must be a JSON object");
  return validate(data, schemaOf(schema));
});

/** Text fields: multipart/form-data, or (unlike upstream) application/x-www-form-urlencoded. */
method("form", (body) => {
  if (mediaType(body.contentType) === "application/x-www-form-urlencoded")
    return parseQuery(body.bytes.toString("latin1"));
  const t = new LuaTable();
  for (const [k, v] of multipart(body).fields) t.setStr(k, v);
  return t;
});

method("file", (body, name) => {
  const field = checkString(name, 1, "file");
  const f = multipart(body).files.find((x) => x.field === field);
  return f === undefined ? undefined : fileTable(f);
});

method("files", (body, name) => {
  const field = checkString(name, 1, "files");
  const t = new LuaTable(
    multipart(body)
      .files.filter((x) => x.field === field)
      .map(fileTable),
  );
  t.jsonArray = true;
  return t;
});

method("multipart", (body) => {
  const data = multipart(body);
  const fields = new LuaTable();
  for (const [k, v] of data.fields) fields.setStr(k, v);
  const files = new LuaTable();
  for (const f of data.files) {
    let list = files.getStr(f.field);
    if (!(list instanceof LuaTable)) {
      list = new LuaTable();
      list.jsonArray = true;
      files.setStr(f.field, list);
    }
    list.setNum(list.arr.length + 1, fileTable(f));
  }
  const t = new LuaTable();
  t.setStr("fields", fields);
  t.setStr("files", files);
  return t;
});

function multipart(body: RequestBody): MultipartData {
  if (body.parts !== undefined) return body.parts;
  const ct = body.contentType;
  if (ct === undefined)
    raiseHttpError(
      UNSUPPORTED_MEDIA_TYPE.status,
      UNSUPPORTED_MEDIA_TYPE.code,
      "Missing Content-Type header for multipart parsing",
    );
  const media = mediaType(ct);
  if (media !== "multipart/form-data") {
    raiseHttpError(
      UNSUPPORTED_MEDIA_TYPE.status,
      UNSUPPORTED_MEDIA_TYPE.code,
      "Unsupported Media Type (415): expected multipart/form-data, got " + media,
    );
  }
  try {
    return (body.parts = parseMultipart(body.bytes, boundaryOf(ct)));
  } catch (e) {
    if (e instanceof MultipartError)
      raiseHttpError(
        BAD_MULTIPART.status,
        BAD_MULTIPART.code,
        "Failed to parse multipart data: " + e.message,
      );
    throw e;
  }
}

/** {name, size, type?, data}: client file name, byte count, part content type, raw bytes. */
function fileTable(f: MultipartFile): LuaTable {
  const t = new LuaTable();
  t.setStr("name", f.name);
  t.setStr("size", f.data.length);
  if (f.type !== undefined) t.setStr("type", f.type);
  t.setStr("data", f.data.toString("latin1"));
  return t;
}

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
