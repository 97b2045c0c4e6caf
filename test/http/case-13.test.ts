// case-13 (JSON request bodies and Content-Type): the scenario, request by request, against
// a real server built by the compiler from the case's routes.lua, with 1 and 2 workers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { buildLuaDist, startServer } from "./server-process.ts";
import { runScenario } from "./scenario.ts";
import type { ScenarioRequest } from "./scenario.ts";

const CASE_DIR = new URL("../../fixtures/cases/case-13-json-body-content-type/", import.meta.url);
const scenario = JSON.parse(readFileSync(new URL("scenario.json", CASE_DIR), "utf8")) as {
  requests: ScenarioRequest[];
};

for (const workers of [1, 2]) {
  test(`case-13 scenario passes with ${workers} worker(s)`, async (t) => {
    const server = await startServer(t, await buildLuaDist(fileURLToPath(new URL("routes.lua", CASE_DIR))), {
      workers,
    });
    assert.equal(server.workers, workers);
    assert.deepEqual(await runScenario(server.url, scenario.requests), []);
  });
}
