-- Recursive calls: the cost of a Lua function call.
local function fib(n)
  if n < 2 then return n end
  return fib(n - 1) + fib(n - 2)
end
local n = tonumber(arg and arg[1]) or 35
print("fib", n, fib(n))
