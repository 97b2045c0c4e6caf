// The peer for the API routes of the HTTP benchmark: bench/apps/api.lua written by hand in Fastify,
// with a JSON schema for the body (compiled by ajv) and response schemas (fast-json-stringify).
// Same constraints and the same output bytes as the Rover app. Usage: node fastify-api.ts <port>
import Fastify from "fastify";

// Rover's guard does no string -> number coercion; Fastify's ajv does by default. Everything else
// (useDefaults, removeAdditional, allErrors off) is Fastify's default.
const app = Fastify({ logger: false, ajv: { customOptions: { coerceTypes: false } } });

// Same field order as the Lua schema. The response schema fixes the output key order, required
// properties first (fast-json-stringify), so the Lua schema lists them first too.
const itemBody = {
  type: "object",
  required: ["name", "sku", "price", "in_stock"],
  properties: {
    name: { type: "string" },
    sku: { type: "string" },
    price: { type: "number" },
    in_stock: { type: "boolean" },
    quantity: { type: "integer", default: 1 },
    status: { type: "string", enum: ["draft", "active", "retired"], default: "draft" },
    category: { type: "string" },
    weight: { type: "number" },
    tags: { type: "array", items: { type: "string" } },
    description: { type: "string" },
  },
} as const;

const listItem = {
  type: "object",
  properties: {
    id: { type: "integer" },
    sku: { type: "string" },
    name: { type: "string" },
    category: { type: "string" },
    status: { type: "string" },
    price: { type: "number" },
    quantity: { type: "integer" },
    in_stock: { type: "boolean" },
    rating: { type: "number" },
    updated_at: { type: "string" },
  },
} as const;

const categories = ["tools", "garden", "kitchen", "office", "toys"];
const statuses = ["draft", "active", "retired"];
const items = Array.from({ length: 100 }, (_, k) => {
  const i = k + 1;
  return {
    id: i,
    sku: `SKU-${String(i).padStart(5, "0")}`,
    name: `Item ${i}`,
    category: categories[(i - 1) % 5],
    status: statuses[(i - 1) % 3],
    price: (i * 250 + 99) / 100,
    quantity: (i * 7) % 50,
    in_stock: i % 4 !== 0,
    rating: ((i * 13) % 50) / 10,
    updated_at: `2026-01-${String(((i - 1) % 28) + 1).padStart(2, "0")}T12:00:00Z`,
  };
});

app.post("/items", { schema: { body: itemBody, response: { 201: itemBody } } }, async (req, reply) =>
  reply.code(201).send(req.body),
);

app.get(
  "/items",
  {
    schema: {
      response: {
        200: {
          type: "object",
          properties: { count: { type: "integer" }, items: { type: "array", items: listItem } },
        },
      },
    },
  },
  async () => ({ count: items.length, items }),
);

await app.listen({ port: Number(process.argv[2]), host: "127.0.0.1" });
process.stdout.write("ready\n");
