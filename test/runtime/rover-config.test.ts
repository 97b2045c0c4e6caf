// rover.server{...} options (runtime/rover/config.ts): defaults, accepted values, and
// startup errors that name the option.
import { test } from "node:test";
import assert from "node:assert/strict";
import { tableFrom } from "../../runtime/lua/table.ts";
import type { LuaValue } from "../../runtime/lua/value.ts";
import { parseConfig } from "../../runtime/rover/config.ts";

const parse = (...pairs: LuaValue[]) => parseConfig(tableFrom(undefined, pairs));

function fails(pairs: LuaValue[], pattern: RegExp): void {
  assert.throws(() => parse(...pairs), pattern);
}

test("defaults", () => {
  assert.deepEqual(parse(), {
    host: "127.0.0.1",
    port: 4242,
    logLevel: "info",
    bodyLimit: 1048576,
    idempotency: { backend: "memory" },
    ignored: [],
  });
});

test("accepted values", () => {
  const c = parse("host", "localhost", "port", 0, "log_level", "NOPE", "body_size_limit", 10);
  assert.equal(c.host, "127.0.0.1");
  assert.equal(c.port, 0);
  assert.equal(c.logLevel, "silent");
  assert.equal(c.bodyLimit, 10);
  assert.equal(parse("host", "0.0.0.0").host, "0.0.0.0");
  assert.equal(parse("host", "::1").host, "::1");
  assert.equal(parse("log_level", "Debug").logLevel, "debug");
  assert.equal(parse("body_size_limit", 0).bodyLimit, Number.MAX_SAFE_INTEGER);
  assert.deepEqual(parse("strict_mode", false).ignored, ["strict_mode"]);
});

test("bad values name the option", () => {
  fails(["host", "example.com"], /^RoverError: Invalid 'host' in rover\.server config: .*'example\.com'/);
  fails(["host", 5], /Invalid 'host'.*got 5/);
  fails(
    ["port", 70000],
    /^RoverError: Invalid 'port' in rover\.server config: expected an integer from 0 to 65535, got 70000$/,
  );
  fails(["port", 1.5], /Invalid 'port'/);
  fails(["port", "http"], /Invalid 'port'.*'http'/);
  fails(["log_level", "loud"], /^RoverError: log_level must be one of: debug, info, warn, error, nope$/);
  fails(["log_level", 1], /^RoverError: log_level should be a string$/);
  fails(["body_size_limit", "1mb"], /body_size_limit should be a positive number, or 0 to disable/);
});

test("idempotency: memory or sqlite with a path, upstream's messages", () => {
  const table = (...pairs: LuaValue[]) => tableFrom(undefined, pairs);
  assert.deepEqual(parse("idempotency", table("backend", "memory")).idempotency, { backend: "memory" });
  assert.deepEqual(parse("idempotency", table()).idempotency, { backend: "memory" });
  assert.deepEqual(
    parse("idempotency", table("backend", "sqlite", "sqlite_path", " data/keys.db ")).idempotency,
    { backend: "sqlite", sqlitePath: "data/keys.db" },
  );
  fails(["idempotency", "memory"], /^RoverError: idempotency should be a table$/);
  fails(
    ["idempotency", table("backend", "redis")],
    /^RoverError: idempotency\.backend must be 'memory' or 'sqlite', got 'redis'$/,
  );
  fails(["idempotency", table("backend", true)], /^RoverError: idempotency\.backend should be a string$/);
  fails(
    ["idempotency", table("backend", "sqlite")],
    /^RoverError: idempotency\.backend='sqlite' requires idempotency\.sqlite_path$/,
  );
  fails(
    ["idempotency", table("backend", "sqlite", "sqlite_path", "  ")],
    /^RoverError: idempotency\.sqlite_path cannot be empty$/,
  );
  fails(
    ["idempotency", table("backend", "sqlite", "sqlite_path", 1)],
    /^RoverError: idempotency\.sqlite_path should be a string$/,
  );
  // A path without backend = "sqlite" would silently use memory: refused.
  fails(
    ["idempotency", table("sqlite_path", "keys.db")],
    /^RoverError: idempotency\.sqlite_path requires idempotency\.backend = 'sqlite'$/,
  );
  fails(
    ["idempotency", table("backend", "memory", "ttl_ms", 5)],
    /^RoverError: Unknown option 'idempotency\.ttl_ms' in rover\.server config\. Valid options: backend, sqlite_path$/,
  );
});

test("unknown and unsupported options are errors", () => {
  fails(
    ["prot", 80],
    /^RoverError: Unknown option 'prot' in rover\.server config\. Valid options: host, port, log_level, body_size_limit, idempotency$/,
  );
  fails(["cors_origin", "*"], /Option 'cors_origin' of rover\.server is not supported/);
  assert.throws(() => parseConfig(tableFrom([1], undefined)), /config keys must be strings/);
});
