// Validates the table given to rover.server{...} (ROVER_API.md §7.1) into a RoverConfig.
// Runs once at boot. Unlike upstream, bad values are startup errors that name the option
// instead of silent fallbacks, and unknown keys are errors instead of being ignored.
import { isIP } from "node:net";
import { LuaTable } from "../lua/table.ts";
import type { LuaValue } from "../lua/value.ts";
import { type } from "../lua/ops.ts";
import { numberToString } from "../lua/number.ts";
import { RoverError, configNotTable, invalidOption, unknownOption, unsupportedOption } from "./errors.ts";

export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";

export interface RoverConfig {
  /** Bind address: an IP literal ("localhost" becomes 127.0.0.1). Default 127.0.0.1. */
  host: string;
  /** 0-65535; 0 picks a free port. Default 4242 (upstream's). */
  port: number;
  /** `nope` in Lua is "silent" here. Default "info". */
  logLevel: LogLevel;
  /** Maximum request body in bytes (413 above it). Default 1 MiB; 0 or less in Lua = no limit. */
  bodyLimit: number;
  /** Where api.idempotent keeps responses (§3.10). Default memory, per worker. */
  idempotency: IdempotencyConfig;
  /** Upstream options accepted but without effect here, to report at startup. */
  ignored: string[];
}

/** `sqlitePath` as written (a relative path is opened from the working directory). */
export type IdempotencyConfig = { backend: "memory" } | { backend: "sqlite"; sqlitePath: string };

const MEMORY_BACKEND: IdempotencyConfig = Object.freeze({ backend: "memory" });

const KNOWN = ["host", "port", "log_level", "body_size_limit", "idempotency"] as const;

/** Upstream switches that only relax upstream's strict mode or are never enforced there. */
const IGNORED = new Set([
  "strict_mode",
  "allow_public_bind",
  "allow_insecure_http",
  "https_redirect",
  "allow_unbounded_body",
  "allow_wildcard_cors_credentials",
  "allow_insecure_security_header_overrides",
  "permissions",
  "rate_limit",
  "load_shed",
]);

/** Upstream options with an effect Rover does not provide: refusing them beats ignoring them. */
const UNSUPPORTED = new Set([
  "docs",
  "cors_origin",
  "cors_methods",
  "cors_headers",
  "cors_credentials",
  "security_headers",
  "management_prefix",
  "management_token",
  "allow_unauthenticated_management",
  "trusted_proxies",
  "tls",
  "http2",
  "compress",
  "readiness",
  "drain_timeout_secs",
]);

const LOG_LEVELS: Record<string, LogLevel> = {
  debug: "debug",
  info: "info",
  warn: "warn",
  error: "error",
  nope: "silent",
};

export const DEFAULT_BODY_LIMIT = 1024 * 1024;

export function parseConfig(config: LuaValue): RoverConfig {
  if (!(config instanceof LuaTable)) throw configNotTable();
  const out: RoverConfig = {
    host: "127.0.0.1",
    port: 4242,
    logLevel: "info",
    bodyLimit: DEFAULT_BODY_LIMIT,
    idempotency: MEMORY_BACKEND,
    ignored: [],
  };
  for (let e = config.next(undefined); e !== undefined; e = config.next(e[0])) {
    const [key, value] = e;
    if (typeof key !== "string") {
      throw new RoverError(
        "ROVER_ERR_CONFIG",
        `rover.server config keys must be strings, got ${render(key)}`,
      );
    }
    switch (key) {
      case "host":
        out.host = parseHost(value);
        break;
      case "port":
        out.port = parsePort(value, "port", "in rover.server config");
        break;
      case "log_level":
        out.logLevel = parseLogLevel(value);
        break;
      case "body_size_limit":
        out.bodyLimit = parseBodyLimit(value);
        break;
      case "idempotency":
        out.idempotency = parseIdempotency(value);
        break;
      default:
        if (IGNORED.has(key)) out.ignored.push(key);
        else if (UNSUPPORTED.has(key)) throw unsupportedOption(key);
        else throw unknownOption(key, KNOWN);
    }
  }
  return out;
}

/** "localhost" or an IPv4/IPv6 literal; hostnames are refused because workers bind the literal. */
export function parseHost(value: LuaValue): string {
  if (typeof value !== "string") throw invalidOption("host", `expected a string, got ${render(value)}`);
  if (value.toLowerCase() === "localhost") return "127.0.0.1";
  if (isIP(value) === 0) {
    throw invalidOption(
      "host",
      `expected 'localhost' or an IP address such as '127.0.0.1' or '0.0.0.0', got '${value}'`,
    );
  }
  return value;
}

export function parsePort(value: LuaValue, name: string, where: string): number {
  if (typeof value === "string" && /^\s*\d+\s*$/.test(value)) value = Number(value);
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 65535) {
    throw new RoverError(
      "ROVER_ERR_CONFIG_INVALID",
      `Invalid '${name}' ${where}: expected an integer from 0 to 65535, got ${render(value)}`,
    );
  }
  return value;
}

function parseLogLevel(value: LuaValue): LogLevel {
  // Upstream's exact messages (ROVER_API.md §7.1).
  if (typeof value !== "string")
    throw new RoverError("ROVER_ERR_CONFIG_INVALID", "log_level should be a string");
  const level = LOG_LEVELS[value.toLowerCase()];
  if (level === undefined) {
    throw new RoverError(
      "ROVER_ERR_CONFIG_INVALID",
      "log_level must be one of: debug, info, warn, error, nope",
    );
  }
  return level;
}

function parseBodyLimit(value: LuaValue): number {
  if (typeof value !== "number" || value !== value) {
    throw new RoverError(
      "ROVER_ERR_CONFIG_INVALID",
      "body_size_limit should be a positive number, or 0 to disable",
    );
  }
  return value <= 0 ? Number.MAX_SAFE_INTEGER : Math.min(Math.floor(value), Number.MAX_SAFE_INTEGER);
}

/**
 * `{backend = "memory"}` or `{backend = "sqlite", sqlite_path = "..."}`, with upstream's
 * messages (§7.1). Stricter than upstream: unknown keys, a non-string backend or path, and a
 * sqlite_path given without backend = "sqlite" (most likely a forgotten backend) are errors.
 */
function parseIdempotency(value: LuaValue): IdempotencyConfig {
  if (!(value instanceof LuaTable)) throw configInvalid("idempotency should be a table");
  let backend: LuaValue = "memory";
  let path: string | undefined;
  for (let e = value.next(undefined); e !== undefined; e = value.next(e[0])) {
    const [key, v] = e;
    if (key === "backend") {
      if (typeof v !== "string") throw configInvalid("idempotency.backend should be a string");
      backend = v;
    } else if (key === "sqlite_path") {
      if (typeof v !== "string") throw configInvalid("idempotency.sqlite_path should be a string");
      path = v.trim();
      if (path === "") throw configInvalid("idempotency.sqlite_path cannot be empty");
    } else {
      throw new RoverError(
        "ROVER_ERR_CONFIG_UNKNOWN",
        `Unknown option 'idempotency.${typeof key === "string" ? key : render(key)}' in rover.server config. Valid options: backend, sqlite_path`,
      );
    }
  }
  if (backend !== "memory" && backend !== "sqlite")
    throw configInvalid(`idempotency.backend must be 'memory' or 'sqlite', got '${backend}'`);
  if (backend === "memory") {
    if (path !== undefined)
      throw configInvalid("idempotency.sqlite_path requires idempotency.backend = 'sqlite'");
    return MEMORY_BACKEND;
  }
  if (path === undefined)
    throw configInvalid("idempotency.backend='sqlite' requires idempotency.sqlite_path");
  return { backend: "sqlite", sqlitePath: path };
}

function configInvalid(message: string): RoverError {
  return new RoverError("ROVER_ERR_CONFIG_INVALID", message);
}

function render(v: LuaValue): string {
  if (typeof v === "string") return `'${v}'`;
  if (typeof v === "number") return numberToString(v);
  if (typeof v === "boolean") return String(v);
  return type(v);
}
