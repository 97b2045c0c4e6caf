// fixtures/apps/crud: a CRUD API whose writes are validated with rover.guard (nested objects,
// arrays of objects, enum, default, nullable, custom messages), compiled by the real compiler
// and served by one worker (the data lives in that worker's Lua tables).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { useAppServer } from "./app-server.ts";

const JSON_CT = "application/json; charset=utf-8";

describe("crud app", () => {
  const app = useAppServer("crud");
  const send = (method: string, path: string, body?: unknown, type = "application/json") =>
    fetch(app.server.url + path, {
      method,
      headers: body === undefined ? {} : { "content-type": type },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });

  it("creates a product: defaults applied, unknown fields dropped, keys in schema order", async () => {
    const r = await send("POST", "/products", {
      price: 9.5,
      name: "Lamp",
      tags: ["home"],
      size: { height: 2, width: 1.5, depth: 9 },
      variants: [{ sku: "L-1", qty: 3.0 }],
      secret: "dropped",
    });
    assert.equal(r.status, 201);
    assert.equal(r.headers.get("content-type"), JSON_CT);
    assert.equal(
      await r.text(),
      '{"name":"Lamp","price":9.5,"stock":0,"status":"draft","tags":["home"],' +
        '"size":{"width":1.5,"height":2},"variants":[{"sku":"L-1","qty":3}],"id":1}',
    );
  });

  it("lists, reads, filters by query", async () => {
    await send("POST", "/products", { name: "Desk", price: 120, status: "active", tags: [] });
    const list = (await (await send("GET", "/products")).json()) as { count: number };
    assert.equal(list.count, 2);
    const active = (await (await send("GET", "/products?status=active")).json()) as {
      items: { name: string; tags: unknown }[];
    };
    assert.deepEqual(
      active.items.map((p) => [p.name, p.tags]),
      [["Desk", []]],
    );
    const one = await send("GET", "/products/2");
    assert.deepEqual(((await one.json()) as { name: string }).name, "Desk");
    const missing = await send("GET", "/products/99");
    assert.deepEqual([missing.status, await missing.json()], [404, { error: "product not found" }]);
  });

  it("an uncaught validation failure is a 400 with every error in schema order", async () => {
    const r = await send("POST", "/products", {
      price: "free",
      status: "gone",
      stock: 2.5,
      tags: ["ok", 7],
      size: { width: 1 },
      variants: [{ qty: 1 }, { sku: "x", qty: "many" }],
      note: null,
    });
    assert.equal(r.status, 400);
    assert.equal(r.headers.get("content-type"), JSON_CT);
    assert.deepEqual(await r.json(), {
      errors: [
        { field: "name", message: "name missing", type: "required" },
        { field: "price", message: "Must be a number, got string", type: "type" },
        { field: "stock", message: "Must be an integer, got float 2.5", type: "type" },
        { field: "status", message: "Must be one of: draft, active, retired. Got: 'gone'", type: "enum" },
        { field: "tags[2]", message: "Must be a string, got integer", type: "type" },
        { field: "size.height", message: "Field 'size.height' is required", type: "required" },
        { field: "variants[1].sku", message: "Field 'variants[1].sku' is required", type: "required" },
        { field: "variants[2].qty", message: "Must be an integer, got string", type: "type" },
      ],
    });
  });

  it("arrays reject objects, objects reject arrays, bodies must be JSON objects", async () => {
    let r = await send("POST", "/products", { name: "x", price: 1, tags: { a: 1 }, size: [1, 2] });
    assert.deepEqual(await r.json(), {
      errors: [
        { field: "tags", message: "Must be an array, got object", type: "type" },
        { field: "size", message: "Must be an object, got array", type: "type" },
      ],
    });
    r = await send("POST", "/products", [1, 2]);
    assert.deepEqual([r.status, await r.json()], [400, { error: "Request body must be a JSON object" }]);
    r = await send("POST", "/products", "{bad");
    assert.equal(r.status, 400);
    assert.match(((await r.json()) as { error: string }).error, /^JSON parsing failed: /);
    r = await send("POST", "/products", "name=x", "application/x-www-form-urlencoded");
    assert.equal(r.status, 415);
    r = await send("POST", "/products");
    assert.deepEqual([r.status, await r.json()], [400, { error: "Request has no body" }]);
  });

  it("a caught failure passed to api:error keeps the structured body with the given status", async () => {
    const r = await send("PUT", "/products/1", { price: 3 });
    assert.equal(r.status, 422);
    assert.deepEqual(await r.json(), {
      errors: [{ field: "name", message: "name missing", type: "required" }],
    });
    const ok = await send("PUT", "/products/1", { name: "Lamp 2", price: 3 });
    assert.equal(((await ok.json()) as { name: string }).name, "Lamp 2");
  });

  it("rover.guard(data, schema) validates plain Lua data; delete answers 204", async () => {
    let r = await send("POST", "/check", { email: "a@b", age: 30 });
    assert.deepEqual(await r.json(), { ok: true, email: "a@b", age: 30 });
    r = await send("POST", "/check", { age: 1.5 });
    assert.deepEqual(await r.json(), {
      errors: [
        { field: "email", message: "Field 'email' is required", type: "required" },
        { field: "age", message: "Must be an integer, got float 1.5", type: "type" },
      ],
    });
    r = await send("DELETE", "/products/1");
    assert.equal(r.status, 204);
    assert.equal((await send("GET", "/products/1")).status, 404);
  });
});
