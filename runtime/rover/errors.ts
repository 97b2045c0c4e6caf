// The catalogue of Rover's own errors. Startup errors (route tree, config) are RoverError
// exceptions thrown out of boot(); request errors that map to a 4xx are HTTP error objects
// (http-error.ts) raised into Lua. Each factory names its ROVER_ERR_* code once, here.

/** An error that stops the app from starting; `message` is shown to the user as is. */
export class RoverError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = "RoverError";
    this.code = code;
  }
}

/** The method keys a route table accepts, in the order upstream lists them (ROVER_API.md §1.4). */
export const METHOD_NAMES = ["get", "head", "options", "post", "put", "patch", "delete"] as const;

// ---------------------------------------------------------------- route tree (ROVER_API.md §1.5)

export function unknownMethod(key: string, path: string): RoverError {
  return new RoverError(
    "ROVER_ERR_UNKNOWN_METHOD",
    `Unknown HTTP method '${key}' at path '${path}'. Valid methods: ${METHOD_NAMES.join(", ")}`,
  );
}

export function emptyParamName(parentPath: string): RoverError {
  return new RoverError("ROVER_ERR_EMPTY_PARAM", `Empty parameter name at path '${parentPath}'`);
}

export function invalidRouteEntry(path: string, key: string, value: string): RoverError {
  return new RoverError(
    "ROVER_ERR_INVALID_ROUTE_ENTRY",
    `Invalid server config at path '${path}': expected string key with table/function value, got ${key} = ${value}`,
  );
}

export function duplicateRoute(method: string, path: string): RoverError {
  return new RoverError(
    "ROVER_ERR_DUPLICATE_ROUTE",
    `Duplicate route ${method} ${path}: the method is declared twice in one table (keys that differ only in case)`,
  );
}

export function conflictingRoutes(method: string, first: string, second: string): RoverError {
  return new RoverError(
    "ROVER_ERR_CONFLICTING_ROUTES",
    `Conflicting routes ${method} ${first} and ${method} ${second}: they match the same requests`,
  );
}

/**
 * The characters a static segment cannot hold: the router's wildcard, what ends a request
 * path, and '%' (segments are matched against the decoded path: `api["a b"]` serves /a%20b).
 */
export const UNROUTABLE_CHARS = /[*?#%]/;

/** Why a segment holding `c` (one of UNROUTABLE_CHARS) is refused, for messages. */
export function unroutableReason(c: string): string {
  if (c === "*") return "the router reads '*' as a wildcard";
  if (c === "%")
    return 'segments match the decoded path: write the segment decoded (api["a b"] serves /a%20b)';
  return `'${c}' ends a request path`;
}

export function unroutableSegment(segment: string, path: string): RoverError {
  const c = UNROUTABLE_CHARS.exec(segment)![0];
  return new RoverError(
    "ROVER_ERR_UNROUTABLE_SEGMENT",
    `Route segment '${segment}' at path '${path}' contains '${c}', which no route can match: ${unroutableReason(c)}`,
  );
}

export function duplicateParamName(name: string, path: string): RoverError {
  return new RoverError(
    "ROVER_ERR_DUPLICATE_PARAM",
    `Duplicate parameter name '${name}' at path '${path}': ctx:params() would keep only one`,
  );
}

export function invalidMiddleware(key: string, path: string, expected: string): RoverError {
  return new RoverError(
    "ROVER_ERR_INVALID_MIDDLEWARE",
    `Invalid middleware '${key}' at path '${path}': expected ${expected}`,
  );
}

export function routeCycle(path: string): RoverError {
  return new RoverError("ROVER_ERR_ROUTE_CYCLE", `Route table at path '${path}' contains itself`);
}

// ---------------------------------------------------------------- config (ROVER_API.md §7.1)

export function configNotTable(): RoverError {
  return new RoverError("ROVER_ERR_CONFIG", "Server config must be a table");
}

export function unknownOption(name: string, known: readonly string[]): RoverError {
  return new RoverError(
    "ROVER_ERR_CONFIG_UNKNOWN",
    `Unknown option '${name}' in rover.server config. Valid options: ${known.join(", ")}`,
  );
}

export function unsupportedOption(name: string): RoverError {
  return new RoverError(
    "ROVER_ERR_CONFIG_UNSUPPORTED",
    `Option '${name}' of rover.server is not supported by Rover (it exists upstream only)`,
  );
}

export function invalidOption(name: string, message: string): RoverError {
  return new RoverError("ROVER_ERR_CONFIG_INVALID", `Invalid '${name}' in rover.server config: ${message}`);
}

// ---------------------------------------------------------------- process level

export function portInUse(port: number, host: string): RoverError {
  return new RoverError("ROVER_ERR_PORT_IN_USE", `Port ${port} is already in use on ${host}`);
}

export function invalidOverride(source: string, message: string): RoverError {
  return new RoverError("ROVER_ERR_INVALID_OVERRIDE", `Invalid ${source}: ${message}`);
}
