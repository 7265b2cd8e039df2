-- wrk script: an OAuth client as RFC 6749 2.3.1 has it (the summary:
-- wrk-common.lua).
--   BENCH_PATH        request path (/oauth/v2/token, /oauth/v2/introspect)
--   BENCH_BODY        the form body (application/x-www-form-urlencoded)
--   BENCH_CLIENT_ID   client ID, sent with the secret as HTTP Basic
--   BENCH_SECRET      its secret
--   BENCH_NEW_SECRET  "1": a new random secret of 64 letters and digits on
--                     every request instead, as a guesser sends them (no
--                     two alike, so no cache of refusals can help)
-- The client ID and secrets here are letters, digits and '-', which
-- form-urlencoding leaves as they are.
local path = os.getenv("BENCH_PATH")
local body = os.getenv("BENCH_BODY") or ""
local client_id = os.getenv("BENCH_CLIENT_ID") or ""
local secret = os.getenv("BENCH_SECRET") or ""
local new_secret = os.getenv("BENCH_NEW_SECRET") == "1"

local b64chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

local function base64(s)
  local out = {}
  for i = 1, #s, 3 do
    local a, b, c = s:byte(i, i + 2)
    local n = a * 65536 + (b or 0) * 256 + (c or 0)
    local k = {math.floor(n / 262144) % 64, math.floor(n / 4096) % 64,
               math.floor(n / 64) % 64, n % 64}
    out[#out + 1] = b64chars:sub(k[1] + 1, k[1] + 1) .. b64chars:sub(k[2] + 1, k[2] + 1) ..
      (b and b64chars:sub(k[3] + 1, k[3] + 1) or "=") ..
      (c and b64chars:sub(k[4] + 1, k[4] + 1) or "=")
  end
  return table.concat(out)
end

local function basic(id, pw)
  return "Basic " .. base64(id .. ":" .. pw)
end

wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Accept"] = "application/json"
wrk.headers["Authorization"] = basic(client_id, secret)

dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "") .. "wrk-common.lua")

local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

function request()
  if new_secret then
    wrk.headers["Authorization"] = basic(client_id, random_string(alphabet, 64))
  end
  return wrk.format(nil, path)
end
