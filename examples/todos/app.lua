-- A small todo API: JSON CRUD with query filters, an HTML summary page and a redirect.
-- Run it with `rover run examples/todos/app.lua` (or `npm start`).
local store = require("store")

local api = rover.server { port = 8080 }

local function id_param(ctx)
  return tonumber(ctx:params().id)
end

-- GET /  -> service info
function api.get(ctx)
  return { service = "todos", version = "1.0" }
end

-- GET /todos?done=true&q=bench
function api.todos.get(ctx)
  local q = ctx:query()
  local filter = { q = q.q }
  if q.done == "true" then filter.done = true elseif q.done == "false" then filter.done = false end
  local items = store.list(filter)
  return { items = items, count = #items }
end

-- POST /todos  {"title": "...", "tags": ["a"]}
function api.todos.post(ctx)
  local body = ctx:body():json()
  if type(body) ~= "table" or type(body.title) ~= "string" or body.title == "" then
    return api:error(422, "title is required")
  end
  return api.json:status(201, store.add(body.title, body.tags))
end

-- GET /todos/:id
function api.todos.p_id.get(ctx)
  local todo = store.get(id_param(ctx))
  if not todo then return api:error(404, "todo not found") end
  return todo
end

-- PATCH /todos/:id  {"done": true}
function api.todos.p_id.patch(ctx)
  local fields = ctx:body():json()
  local todo = store.update(id_param(ctx), { title = fields.title, done = fields.done })
  if not todo then return api:error(404, "todo not found") end
  return todo
end

-- DELETE /todos/:id
function api.todos.p_id.delete(ctx)
  if not store.remove(id_param(ctx)) then return api:error(404, "todo not found") end
  return api.no_content()
end

-- GET /summary -> an HTML page
function api.summary.get(ctx)
  local open, total = store.count()
  return api.html(string.format(
    "<!doctype html><title>Todos</title><h1>Todos</h1><p>%d open of %d</p>", open, total))
end

-- GET /docs -> redirect to the summary page
function api.docs.get(ctx)
  return api.redirect("/summary")
end

-- GET /health -> plain text
function api.health.get(ctx)
  return "ok"
end

-- GET /boom -> a handler error: 500 with no internals, logged with app.lua:line
function api.boom.get(ctx)
  local missing = nil
  return missing.field
end

return api
