-- Numeric loops and arithmetic on locals.
local n = tonumber(arg and arg[1]) or 5000
local sum = 0
for i = 1, n do
  for j = 1, n do
    sum = (sum + i * j) % 1000003
  end
end
print("loops", n, sum)
