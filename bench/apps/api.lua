-- The API-shaped routes of the HTTP benchmark (bench/http.ts), against the same routes written
-- by hand in Fastify with JSON schemas (bench/peers/fastify-api.ts): same constraints, same bytes.
--   POST /items  validates a 10-field body with rover.guard, answers 201 with the validated table
--   GET  /items  lists 100 items of an in-memory store built once at startup
local api = rover.server {}
local g = rover.guard

-- A table literal used only by :expect, so the compiler turns it into a straight-line validator.
-- Required fields first: fast-json-stringify (the Fastify peer) writes required properties first.
local item_schema = {
  name = g:string():required(),
  sku = g:string():required(),
  price = g:number():required(),
  in_stock = g:boolean():required(),
  quantity = g:integer():default(1),
  status = g:string():enum({ "draft", "active", "retired" }):default("draft"),
  category = g:string(),
  weight = g:number(),
  tags = g:array(g:string()),
  description = g:string(),
}

local categories = { "tools", "garden", "kitchen", "office", "toys" }
local statuses = { "draft", "active", "retired" }
local items = {}
for i = 1, 100 do
  items[i] = {
    id = i,
    sku = string.format("SKU-%05d", i),
    name = "Item " .. i,
    category = categories[(i - 1) % 5 + 1],
    status = statuses[(i - 1) % 3 + 1],
    price = (i * 250 + 99) / 100,
    quantity = (i * 7) % 50,
    in_stock = i % 4 ~= 0,
    rating = ((i * 13) % 50) / 10,
    updated_at = string.format("2026-01-%02dT12:00:00Z", (i - 1) % 28 + 1),
  }
end

-- POST /items
function api.items.post(ctx)
  local input = ctx:body():expect(item_schema)
  return api.json:status(201, input)
end

-- GET /items
function api.items.get(ctx)
  return { count = #items, items = items }
end

return api
