// What the server hands to RoverApp.handle for one request: raw pieces only, so a handler
// that never reads headers, query or body pays nothing to decode them (context.ts does it
// on first use). Strings are byte strings where they reach Lua (see each field).

export interface RequestInput {
  /** Request method as received ("GET"). */
  method: string;
  /** Raw request target up to the first '?', still percent-encoded ("/a%20b"). */
  path: string;
  /** Raw text after the first '?', "" when there is none. */
  query: string;
  /**
   * Parameter values in RouteSpec.params order, as the router decoded them: JS (UTF-16)
   * strings, percent-decoded. ctx:params() turns them into UTF-8 byte strings.
   */
  params: string[];
  /** Node's flat [name, value, name, value, ...] list: original case, latin1 (byte) values. */
  rawHeaders: string[];
  /** The request body exactly as received, or null when there was none. */
  body: Buffer | null;
}

/** The value of a header (name in lower case), the last one when repeated, as upstream does. */
export function headerValue(rawHeaders: string[], lowerName: string): string | undefined {
  let found: string | undefined;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i];
    if (name.length === lowerName.length && name.toLowerCase() === lowerName) found = rawHeaders[i + 1];
  }
  return found;
}
