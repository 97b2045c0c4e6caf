// Answers for requests that no route handler takes: 404 for an unknown path, 405 with Allow
// for a known path and another method, 204 with Allow for an automatic OPTIONS. The route
// table is fixed at startup, so each answer is prepared then; only Allow may depend on the
// request path (a static route next to a parameter).
import type { FastifyReply, FastifyRequest } from "fastify";
import type { RouteSpec } from "../rover/boot.ts";

export const JSON_TYPE = "application/json; charset=utf-8";
const NOT_FOUND = '{"error":"Not Found"}';

/** Allow header order (ROVER_API.md §1.6). */
const ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
const METHOD_NOT_ALLOWED = '{"error":"Method Not Allowed"}';

/** A route path split into segments: the text of a static one, null for a parameter. */
interface PathMethods {
  path: string;
  segments: (string | null)[];
  /** The methods routed at this path; HEAD wherever GET is (Fastify answers it from GET). */
  methods: Set<string>;
}

function isParam(segment: string): boolean {
  return segment.startsWith(":") && !segment.startsWith("::");
}

/** Every route path with its methods. */
function pathMethods(routes: readonly RouteSpec[]): PathMethods[] {
  const byPath = new Map<string, PathMethods>();
  for (const r of routes) {
    let entry = byPath.get(r.path);
    if (entry === undefined) {
      const segments = r.path.split("/").map((seg) => (isParam(seg) ? null : seg.replace(/^::/, ":")));
      byPath.set(r.path, (entry = { path: r.path, segments, methods: new Set() }));
    }
    entry.methods.add(r.method);
    if (r.method === "GET") entry.methods.add("HEAD");
  }
  return [...byPath.values()];
}

/** Whether a request path (decoded segments) matches a route path. */
function matches(entry: PathMethods, segments: string[]): boolean {
  const own = entry.segments;
  if (own.length !== segments.length) return false;
  for (let i = 0; i < own.length; i++) {
    if (own[i] === null ? segments[i] === "" : own[i] !== segments[i]) return false;
  }
  return true;
}

/**
 * The Allow header of a request path: every method some route serves for it, on this route
 * path or on a less specific one that the path also matches (DELETE /items/me reaching
 * DELETE /items/:id), in the fixed order; OPTIONS is always allowed. Undefined when no route
 * path matches.
 */
function allowFor(paths: readonly PathMethods[], segments: string[]): string | undefined {
  const methods = new Set<string>();
  for (const entry of paths) if (matches(entry, segments)) for (const m of entry.methods) methods.add(m);
  if (methods.size === 0) return undefined;
  return ALL_METHODS.filter((m) => methods.has(m) || m === "OPTIONS").join(", ");
}

/** The decoded segments of a request URL's path, for allowFor. */
function requestSegments(url: string): string[] {
  const q = url.indexOf("?");
  return (q < 0 ? url : url.slice(0, q)).split("/").map((seg) => {
    try {
      return decodeURIComponent(seg);
    } catch {
      return seg;
    }
  });
}

export interface Filler {
  path: string;
  methods: string[];
  handler: (request: FastifyRequest, reply: FastifyReply) => void;
}

/**
 * For every route path, the methods it has no handler for: OPTIONS answers 204 with Allow,
 * the others 405 with Allow. A filler is left out where it would shadow a route of the same
 * method on a less specific path (POST /users/me must still reach POST /users/:id). Allow is
 * computed once per filler unless a static route path could join it for some values of its
 * parameters (/items/:id next to /items/me); then per request, on this error path only.
 */
export function methodFillers(routes: readonly RouteSpec[]): Filler[] {
  const paths = pathMethods(routes);
  const out: Filler[] = [];
  for (const entry of paths) {
    const missing = ALL_METHODS.filter(
      (m) => !entry.methods.has(m) && !routes.some((r) => serves(r, m) && shadows(entry.path, r.path)),
    );
    if (missing.length === 0) continue;
    const fixed = paths.every((other) => !dependsOnParams(entry, other))
      ? allowFor(
          paths,
          entry.segments.map((seg) => seg ?? "x"),
        )!
      : undefined;
    out.push({
      path: entry.path,
      methods: missing,
      handler: function methodNotAllowed(request: FastifyRequest, reply: FastifyReply): void {
        const allow = fixed ?? allowFor(paths, requestSegments(request.raw.url ?? "")) ?? "OPTIONS";
        reply.header("allow", allow);
        if (request.raw.method === "OPTIONS") reply.code(204).send();
        else reply.code(405).header("content-type", JSON_TYPE).send(METHOD_NOT_ALLOWED);
      },
    });
  }
  return out;
}

/** Whether a route answers method `m`: its own, and HEAD for a GET route (app.ts). */
function serves(route: RouteSpec, m: string): boolean {
  return route.method === m || (m === "HEAD" && route.method === "GET");
}

/** Whether `other` matches some but not all requests that `entry` matches (a static segment where entry has a parameter). */
function dependsOnParams(entry: PathMethods, other: PathMethods): boolean {
  if (other.segments.length !== entry.segments.length) return false;
  let depends = false;
  for (let i = 0; i < entry.segments.length; i++) {
    const a = entry.segments[i];
    const b = other.segments[i];
    if (a !== null && b !== null && a !== b) return false;
    if (a === null && b !== null) depends = true;
  }
  return depends;
}

/** Whether a route at `path` would win over one at `other` for some request both match. */
function shadows(path: string, other: string): boolean {
  if (path === other) return true;
  const a = path.split("/");
  const b = other.split("/");
  if (a.length !== b.length) return false;
  let decided = false;
  let wins = false;
  for (let i = 0; i < a.length; i++) {
    const pa = isParam(a[i]);
    const pb = isParam(b[i]);
    if (!pa && !pb && a[i] !== b[i]) return false;
    if (!decided && pa !== pb) {
      decided = true;
      wins = !pa;
    }
  }
  return wins;
}

/**
 * 404, except for a method Rover has no routes for at all (PROPFIND, TRACE...) on a path that
 * a route matches: that is 405 with the path's Allow, as for the methods the fillers cover.
 */
export function notFoundFor(routes: readonly RouteSpec[]) {
  const paths = pathMethods(routes);
  const known = new Set<string>(ALL_METHODS);
  return function notFound(request: FastifyRequest, reply: FastifyReply): void {
    if (!known.has(request.raw.method ?? "")) {
      const allow = allowFor(paths, requestSegments(request.raw.url ?? ""));
      if (allow !== undefined) {
        reply.code(405).header("allow", allow).header("content-type", JSON_TYPE).send(METHOD_NOT_ALLOWED);
        return;
      }
    }
    notFoundReply(reply);
  };
}

export function notFoundReply(reply: FastifyReply): void {
  reply.code(404).header("content-type", JSON_TYPE).send(NOT_FOUND);
}
