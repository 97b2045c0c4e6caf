-- Binary trees: allocation of small tables and recursion.
local function bottom_up(depth)
  if depth == 0 then return {} end
  depth = depth - 1
  return { bottom_up(depth), bottom_up(depth) }
end
local function check(tree)
  if tree[1] then return 1 + check(tree[1]) + check(tree[2]) end
  return 1
end
local n = tonumber(arg and arg[1]) or 15
local total = 0
for d = 4, n, 2 do
  local iters = 2 ^ (n - d + 4)
  local c = 0
  for _ = 1, iters do c = c + check(bottom_up(d)) end
  total = total + c
end
print("bintrees", n, total)
