-- Lua patterns: find, match, gmatch and gsub over a generated log.
local n = tonumber(arg and arg[1]) or 50000
local lines = {}
for i = 1, n do
  lines[i] = string.format("2024-05-%02d 12:%02d:%02d GET /users/%d 200 %dms", i % 28 + 1, i % 60, i % 60, i, i % 500)
end
local text = table.concat(lines, "\n")
local count, slow, ids = 0, 0, 0
for date, path, status, ms in text:gmatch("(%d+%-%d+%-%d+) [%d:]+ %u+ (%S+) (%d+) (%d+)ms") do
  count = count + 1
  if tonumber(ms) > 400 then slow = slow + 1 end
  local id = path:match("/users/(%d+)")
  if id then ids = ids + #id end
end
local replaced, k = text:gsub("%d%d%d%d%-", "Y-")
print("patterns", n, count, slow, ids, k, #replaced)
