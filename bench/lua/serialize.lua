-- A JSON-like serializer: recursion over tables, type dispatch, string escapes.
local function encode(v, out)
  local t = type(v)
  if t == "table" then
    if #v > 0 then
      out[#out + 1] = "["
      for i = 1, #v do
        if i > 1 then out[#out + 1] = "," end
        encode(v[i], out)
      end
      out[#out + 1] = "]"
    else
      out[#out + 1] = "{"
      local keys = {}
      for k in pairs(v) do keys[#keys + 1] = k end
      table.sort(keys)
      for i, k in ipairs(keys) do
        if i > 1 then out[#out + 1] = "," end
        out[#out + 1] = '"' .. k .. '":'
        encode(v[k], out)
      end
      out[#out + 1] = "}"
    end
  elseif t == "string" then
    out[#out + 1] = '"' .. v:gsub('[%c"\\]', function(c) return string.format("\\u%04x", c:byte()) end) .. '"'
  else
    out[#out + 1] = tostring(v)
  end
end
local n = tonumber(arg and arg[1]) or 20000
local total = 0
for i = 1, n do
  local doc = { id = i, name = "user" .. i, tags = { "a", "b\n", "c" }, score = i / 8,
                active = i % 2 == 0, nested = { x = i, y = { i, i + 1 } } }
  local out = {}
  encode(doc, out)
  total = total + #table.concat(out)
end
print("serialize", n, total)
