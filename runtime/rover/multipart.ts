// A small strict multipart/form-data parser (RFC 7578) for ctx:body():form() / :file() /
// :files() / :multipart() (ROVER_API.md §2.6), with upstream's limits and error texts: at
// most 100 parts, 10 MiB per file, 50 MiB of files in total (the request body limit applies
// first). Parts with a filename are files, the others text fields. Names and values stay
// byte strings (latin1 JS strings), as everything that reaches Lua.

export const MAX_PARTS = 100;
export const MAX_FILE = 10 * 1024 * 1024;
export const MAX_TOTAL = 50 * 1024 * 1024;

export interface MultipartFile {
  field: string;
  name: string;
  /** Part Content-Type, undefined when the part has none. */
  type: string | undefined;
  data: Buffer;
}

export interface MultipartData {
  /** Text fields in order; a repeated name appears several times. */
  fields: [string, string][];
  files: MultipartFile[];
}

/** A parse failure; the message is upstream's detail text (without "Failed to parse multipart data: "). */
export class MultipartError extends Error {}

/** The boundary parameter of a multipart Content-Type value. */
export function boundaryOf(contentType: string): string {
  const m = /;\s*boundary\s*=\s*("([^"]*)"|[^;\s]+)/i.exec(contentType);
  if (m === null) throw new MultipartError("Missing boundary in Content-Type header");
  const b = m[2] ?? m[1];
  // RFC 2046: 1-70 characters from a restricted set, not ending in a space.
  if (!/^[0-9A-Za-z'()+_,\-./:=? ]{1,70}$/.test(b) || b.endsWith(" "))
    throw new MultipartError("Invalid boundary format");
  return b;
}

export function parseMultipart(body: Buffer, boundary: string): MultipartData {
  const delim = Buffer.from("--" + boundary, "latin1");
  const out: MultipartData = { fields: [], files: [] };
  let pos = body.indexOf(delim);
  if (pos < 0) throw new MultipartError("Malformed part: missing opening boundary");
  let parts = 0;
  let total = 0;
  for (;;) {
    pos += delim.length;
    // "--" after a delimiter closes the body.
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) return out;
    if (body[pos] !== 0x0d || body[pos + 1] !== 0x0a)
      throw new MultipartError("Malformed part: expected CRLF after boundary");
    pos += 2;
    const headerEnd = body.indexOf("\r\n\r\n", pos, "latin1");
    if (headerEnd < 0) throw new MultipartError("Malformed part: unterminated headers");
    const headers = parseHeaders(body.toString("latin1", pos, headerEnd));
    const dataStart = headerEnd + 4;
    const next = body.indexOf(Buffer.concat([Buffer.from("\r\n"), delim]), dataStart);
    if (next < 0) throw new MultipartError("Malformed part: missing closing boundary");
    if (++parts > MAX_PARTS)
      throw new MultipartError(`Too many parts: ${parts} exceeds maximum ${MAX_PARTS}`);
    const disposition = headers.get("content-disposition");
    if (disposition === undefined) throw new MultipartError("Malformed part: missing Content-Disposition");
    const params = dispositionParams(disposition);
    const name = params.get("name");
    if (name === undefined) throw new MultipartError("Malformed part: missing field name");
    const data = body.subarray(dataStart, next);
    const filename = params.get("filename");
    if (filename !== undefined) {
      if (data.length > MAX_FILE)
        throw new MultipartError(
          `File '${name}' too large: ${data.length} bytes exceeds maximum ${MAX_FILE} bytes`,
        );
      total += data.length;
      if (total > MAX_TOTAL)
        throw new MultipartError(`Total file size ${total} bytes exceeds maximum ${MAX_TOTAL} bytes`);
      out.files.push({ field: name, name: filename, type: headers.get("content-type"), data });
    } else {
      out.fields.push([name, data.toString("latin1")]);
    }
    pos = next + 2;
  }
}

function parseHeaders(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon <= 0) throw new MultipartError("Malformed part: invalid header line");
    out.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return out;
}

/** form-data; name="a"; filename="b.txt" → {name: a, filename: b.txt} (quoted strings with \" escapes). */
function dispositionParams(value: string): Map<string, string> {
  const out = new Map<string, string>();
  const semi = value.indexOf(";");
  if (semi < 0 || value.slice(0, semi).trim().toLowerCase() !== "form-data")
    throw new MultipartError("Malformed part: Content-Disposition must be form-data");
  const re = /;\s*([^=;\s]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
  re.lastIndex = semi;
  for (let m = re.exec(value); m !== null; m = re.exec(value)) {
    const v = m[2] !== undefined ? m[2].replace(/\\(.)/g, "$1") : m[3].trim();
    out.set(m[1].toLowerCase(), v);
  }
  return out;
}
