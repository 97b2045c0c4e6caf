// Runs an HTTP case's scenario.json (/work/shared/cases/README.md) against a running server:
// requests in order, each checked against its `expect` keys. Returns the failures as text
// so a test can report all of them at once.
import { deepStrictEqual } from "node:assert/strict";
import { rawRequest } from "./server-process.ts";
import type { RawResponse } from "./server-process.ts";

export interface ScenarioRequest {
  name: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  expect: Expectation;
}

export interface Expectation {
  status?: number;
  header_prefix?: Record<string, string>;
  json?: unknown;
  json_fields?: Record<string, unknown>;
  json_absent_keys?: string[];
  json_has_string?: string;
  error_mentions?: string;
  raw_not_contains?: string[];
  body_empty?: boolean;
  one_of?: Expectation[];
}

export async function runScenario(baseUrl: string, requests: ScenarioRequest[]): Promise<string[]> {
  const failures: string[] = [];
  for (const r of requests) {
    const res = await rawRequest(baseUrl, r.method, r.path, r.headers ?? {}, r.body);
    const problem = check(res, r.expect);
    if (problem !== null) {
      failures.push(
        `${r.name}: ${problem} (got ${res.status} ${String(res.headers["content-type"])} ${res.body})`,
      );
    }
  }
  return failures;
}

/** null when `res` satisfies `e`, else what is wrong. */
export function check(res: RawResponse, e: Expectation): string | null {
  if (e.one_of !== undefined) {
    const problems = e.one_of.map((alt) => check(res, alt));
    if (!problems.includes(null)) return "none of one_of matched: " + problems.join(" | ");
  }
  if (e.status !== undefined && res.status !== e.status) return `status ${res.status}, expected ${e.status}`;
  for (const [name, prefix] of Object.entries(e.header_prefix ?? {})) {
    const v = String(res.headers[name] ?? "");
    if (!v.toLowerCase().startsWith(prefix.toLowerCase()))
      return `header ${name} is '${v}', expected prefix '${prefix}'`;
  }
  const raw = res.body.toString("utf8");
  if (e.body_empty === true && res.body.length !== 0) return "body is not empty";
  for (const s of e.raw_not_contains ?? []) if (raw.includes(s)) return `body contains '${s}'`;
  const ct = String(res.headers["content-type"] ?? "");
  const needsJson = e.json !== undefined || e.json_fields || e.json_absent_keys || e.json_has_string;
  let body: any;
  if (needsJson || /[/+]json\b/i.test(ct)) {
    try {
      body = JSON.parse(raw);
    } catch {
      return "body is not strict JSON";
    }
  }
  try {
    if (e.json !== undefined) deepStrictEqual(body, e.json);
    for (const [k, v] of Object.entries(e.json_fields ?? {})) deepStrictEqual(body?.[k], v);
  } catch {
    return "JSON body differs";
  }
  for (const k of e.json_absent_keys ?? [])
    if (body !== null && typeof body === "object" && k in body) return `key '${k}' present`;
  if (e.json_has_string !== undefined) {
    const v = body?.[e.json_has_string];
    if (typeof v !== "string" || v === "") return `no non-empty string under '${e.json_has_string}'`;
    if (e.error_mentions !== undefined && !v.includes(e.error_mentions))
      return `'${v}' does not mention '${e.error_mentions}'`;
  }
  return null;
}
