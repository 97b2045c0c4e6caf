-- In-memory todo store. Each worker thread has its own Lua state, so with several
-- workers each keeps its own list (as OpenResty workers do); `rover run` uses one.
local store = {}

local todos = {}
local order = {}
local next_id = 1

local function copy(todo)
  return { id = todo.id, title = todo.title, done = todo.done, tags = todo.tags }
end

function store.add(title, tags)
  local todo = { id = next_id, title = title, done = false, tags = tags or {} }
  todos[next_id] = todo
  order[#order + 1] = next_id
  next_id = next_id + 1
  return copy(todo)
end

function store.get(id)
  local todo = todos[id]
  return todo and copy(todo)
end

function store.list(filter)
  local out = {}
  for _, id in ipairs(order) do
    local todo = todos[id]
    if todo then
      local keep = true
      if filter.done ~= nil and todo.done ~= filter.done then keep = false end
      if filter.q and not todo.title:lower():find(filter.q:lower(), 1, true) then keep = false end
      if keep then out[#out + 1] = copy(todo) end
    end
  end
  return out
end

function store.update(id, fields)
  local todo = todos[id]
  if not todo then return nil end
  if fields.title ~= nil then todo.title = fields.title end
  if fields.done ~= nil then todo.done = fields.done end
  return copy(todo)
end

function store.remove(id)
  if not todos[id] then return false end
  todos[id] = nil
  return true
end

function store.count()
  local open, total = 0, 0
  for _, todo in pairs(todos) do
    total = total + 1
    if not todo.done then open = open + 1 end
  end
  return open, total
end

store.add("Write the Rover README", { "docs" })
store.add("Benchmark against Fastify", { "perf" })

return store
