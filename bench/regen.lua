-- wrk script: the call as a client makes it (the summary: wrk-common.lua).
--   BENCH_PATH      request path
--   BENCH_TOKEN     bearer token (a wrong one measures the refusal path)
--   BENCH_DISTINCT  "1": a new random token for every request instead, as
--                   credential stuffing sends them (no two alike, so no
--                   cache of refusals can help)
local path = os.getenv("BENCH_PATH")
local token = os.getenv("BENCH_TOKEN")
local distinct = os.getenv("BENCH_DISTINCT") == "1"

wrk.method = "POST"
wrk.body = "{}"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (token or "")

dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "") .. "wrk-common.lua")

local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
local sent = 0

-- 43 characters like the tokens oidc-secret-admin issues: 32 random ones,
-- then the thread and a counter, so that no two requests share a token.
local function new_token()
  sent = sent + 1
  return random_string(alphabet, 32) .. string.format("-%d-%09d", thread_id or 0, sent)
end

function request()
  if distinct then
    wrk.headers["Authorization"] = "Bearer " .. new_token()
  end
  return wrk.format(nil, path)
end
