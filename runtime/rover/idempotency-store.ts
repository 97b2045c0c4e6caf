// Where api.idempotent keeps responses (ROVER_API.md §3.10): in memory, private to one worker
// thread, or in a SQLite file that every worker (and a restarted server) shares. Both drop
// expired entries lazily when something is stored, so a store never grows without bound.
// Calls are synchronous, like handlers: node:sqlite's DatabaseSync, no event-loop round trip.
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { RoverResponse } from "./response.ts";
import type { HeaderRecord } from "./response.ts";
import type { IdempotencyConfig } from "./config.ts";
import { invalidOption } from "./errors.ts";

/** A stored response and the fingerprint of the request that produced it. */
export interface StoredEntry {
  fingerprint: string;
  response: RoverResponse;
}

export interface IdempotencyStore {
  /** The entry under `key` if it has not expired (nor been evicted). */
  get(key: string, now: number): StoredEntry | undefined;
  /** Stores `entry` under `key` until `expiresAt` (ms since the epoch); a live entry stays. */
  put(key: string, entry: StoredEntry, expiresAt: number, now: number): void;
}

/** Opens the store the config names; a SQLite file that cannot be opened is a startup error. */
export function openStore(config: IdempotencyConfig): IdempotencyStore {
  return config.backend === "sqlite" ? openSqliteStore(config.sqlitePath) : new MemoryStore();
}

/** Expired entries are looked for at most this often (a full scan), on insert. */
const SWEEP_INTERVAL_MS = 1000;

/** Memory caps per worker; past either, the oldest entries go first (even unexpired ones). */
export const MEMORY_MAX_ENTRIES = 10_000;
export const MEMORY_MAX_BYTES = 64 * 1024 * 1024;
/** A rough per-entry cost besides key and body (objects, headers), for the byte cap. */
const ENTRY_OVERHEAD = 256;

interface MemoryEntry extends StoredEntry {
  expiresAt: number;
  size: number;
}

/** A Map in insertion order, so the first entries are the oldest ones to evict. */
export class MemoryStore implements IdempotencyStore {
  private readonly entries = new Map<string, MemoryEntry>();
  private bytes = 0;
  private lastSweep = 0;

  get(key: string, now: number): StoredEntry | undefined {
    const e = this.entries.get(key);
    if (e === undefined) return undefined;
    if (e.expiresAt > now) return e;
    this.remove(key, e);
    return undefined;
  }

  put(key: string, entry: StoredEntry, expiresAt: number, now: number): void {
    const old = this.entries.get(key);
    if (old !== undefined) {
      if (old.expiresAt > now) return;
      this.remove(key, old);
    }
    if (now - this.lastSweep >= SWEEP_INTERVAL_MS || this.entries.size >= MEMORY_MAX_ENTRIES) {
      this.sweep(now);
    }
    const body = entry.response.body;
    const size = key.length + (body === null ? 0 : body.length) + ENTRY_OVERHEAD;
    // The new entry is always kept, even alone over the byte cap: the client just got it.
    for (const [k, e] of this.entries) {
      if (this.entries.size < MEMORY_MAX_ENTRIES && this.bytes + size <= MEMORY_MAX_BYTES) break;
      this.remove(k, e);
    }
    this.entries.set(key, { fingerprint: entry.fingerprint, response: entry.response, expiresAt, size });
    this.bytes += size;
  }

  get size(): number {
    return this.entries.size;
  }

  private sweep(now: number): void {
    this.lastSweep = now;
    for (const [k, e] of this.entries) if (e.expiresAt <= now) this.remove(k, e);
  }

  private remove(key: string, e: MemoryEntry): void {
    this.entries.delete(key);
    this.bytes -= e.size;
  }
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS rover_idempotency (
  key TEXT PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  status INTEGER NOT NULL,
  headers TEXT NOT NULL,
  body BLOB,
  expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS rover_idempotency_expires ON rover_idempotency (expires_at);`;

/** How long a worker waits for another one's write lock before the request fails (500). */
const BUSY_TIMEOUT_MS = 5000;

function openSqliteStore(path: string): IdempotencyStore {
  // Loaded only here, so apps on the memory backend never load node:sqlite.
  const { DatabaseSync } = process.getBuiltinModule("node:sqlite");
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path, { timeout: BUSY_TIMEOUT_MS });
    // WAL: readers in one worker never wait for a writer in another. NORMAL sync loses at
    // most the last entries on power loss, which only lets a retry run its handler again.
    db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;" + SCHEMA);
  } catch (e) {
    throw invalidOption(
      "idempotency",
      `cannot open sqlite_path '${path}': ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  return new SqliteStore(db);
}

interface Row {
  fingerprint: string;
  status: number;
  headers: string;
  body: Uint8Array | null;
}

/** One row per store key; rows are shared by every worker that opened the same file. */
class SqliteStore implements IdempotencyStore {
  private readonly select: StatementSync;
  private readonly insert: StatementSync;
  private readonly purge: StatementSync;
  private lastSweep = 0;

  constructor(db: DatabaseSync) {
    this.select = db.prepare(
      "SELECT fingerprint, status, headers, body FROM rover_idempotency WHERE key = ? AND expires_at > ?",
    );
    // Another worker may have stored the same key meanwhile: its live row wins (the first
    // response is the one retries get); an expired row is replaced.
    this.insert = db.prepare(
      `INSERT INTO rover_idempotency (key, fingerprint, status, headers, body, expires_at)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET fingerprint = excluded.fingerprint, status = excluded.status,
         headers = excluded.headers, body = excluded.body, expires_at = excluded.expires_at
       WHERE rover_idempotency.expires_at <= ?`,
    );
    this.purge = db.prepare("DELETE FROM rover_idempotency WHERE expires_at <= ?");
  }

  get(key: string, now: number): StoredEntry | undefined {
    const row = this.select.get(key, now) as Row | undefined;
    if (row === undefined) return undefined;
    const headers = JSON.parse(row.headers) as HeaderRecord;
    const body = row.body === null ? null : Buffer.from(row.body).toString("latin1");
    return { fingerprint: row.fingerprint, response: new RoverResponse(row.status, headers, body) };
  }

  put(key: string, entry: StoredEntry, expiresAt: number, now: number): void {
    if (now - this.lastSweep >= SWEEP_INTERVAL_MS) {
      this.lastSweep = now;
      this.purge.run(now);
    }
    const r = entry.response;
    // Header values and the body are byte strings: JSON and latin1 keep every byte.
    const body = r.body === null ? null : Buffer.from(r.body, "latin1");
    this.insert.run(key, entry.fingerprint, r.status, JSON.stringify(r.headers), body, expiresAt, now);
  }
}
