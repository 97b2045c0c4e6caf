-- String building: concatenation, table.concat, tostring, string.format.
local n = tonumber(arg and arg[1]) or 300000
local parts = {}
for i = 1, n do
  parts[#parts + 1] = "item" .. i .. "=" .. (i * 3) .. ";"
end
local s = table.concat(parts)
local t = {}
for i = 1, n / 10 do t[#t + 1] = string.format("%d:%s", i, tostring(i / 4)) end
print("strbuild", n, #s, #table.concat(t, ","))
