-- Floats on table fields: an n-body style update of particles.
local n = tonumber(arg and arg[1]) or 1000
local steps = tonumber(arg and arg[2]) or 2000
local ps = {}
for i = 1, n do
  ps[i] = { x = i * 0.5, y = i * 0.25, vx = 0.0, vy = 0.0, m = 1 + (i % 7) }
end
for _ = 1, steps do
  for i = 1, n do
    local p = ps[i]
    local ax, ay = -p.x * 0.001, -p.y * 0.001
    p.vx = p.vx + ax / p.m
    p.vy = p.vy + ay / p.m
    p.x = p.x + p.vx
    p.y = p.y + p.vy
  end
end
local e = 0
for i = 1, n do local p = ps[i]; e = e + 0.5 * p.m * (p.vx * p.vx + p.vy * p.vy) end
print("fields", n, string.format("%.6f", e))
