-- wrk script: the call as a client makes it, and a machine-readable summary.
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

-- Each thread gets a number (setup runs in the main state, once per thread).
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end

local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
local sent = 0

function init(args)
  math.randomseed(os.time() * 1000 + (thread_id or 0))
end

-- 43 characters like the tokens oidc-secret-admin issues: 32 random ones,
-- then the thread and a counter, so that no two requests share a token.
local function new_token()
  local t = {}
  for i = 1, 32 do
    local k = math.random(1, 64)
    t[i] = alphabet:sub(k, k)
  end
  sent = sent + 1
  return table.concat(t) .. string.format("-%d-%09d", thread_id or 0, sent)
end

function request()
  if distinct then
    wrk.headers["Authorization"] = "Bearer " .. new_token()
  end
  return wrk.format(nil, path)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d non2xx=%d connect=%d read=%d write=%d timeout=%d p50_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write,
    e.timeout, latency:percentile(50), latency:percentile(99), latency.max))
end
