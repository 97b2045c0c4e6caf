-- OOP with metatables: method calls through __index and inheritance.
local Point = {}
Point.__index = Point
function Point.new(x, y) return setmetatable({ x = x, y = y }, Point) end
function Point:add(o) return Point.new(self.x + o.x, self.y + o.y) end
function Point:len2() return self.x * self.x + self.y * self.y end
local Point3 = setmetatable({}, { __index = Point })
Point3.__index = Point3
function Point3.new(x, y, z) local p = Point.new(x, y); p.z = z; return setmetatable(p, Point3) end
function Point3:len2() return Point.len2(self) + self.z * self.z end
local n = tonumber(arg and arg[1]) or 5000000
local acc = Point.new(0, 0)
local s = 0
for i = 1, n do
  local p = Point3.new(i % 10, i % 7, i % 3)
  acc = acc:add(p)
  s = s + p:len2() % 13
end
print("oop", n, acc.x, acc.y, s)
