-- wrk script: the call as a client makes it, and a machine-readable summary.
--   BENCH_PATH   request path
--   BENCH_TOKEN  bearer token (a wrong one measures the refusal path)
local path = os.getenv("BENCH_PATH")
local token = os.getenv("BENCH_TOKEN")

wrk.method = "POST"
wrk.body = "{}"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token

function request()
  return wrk.format(nil, path)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d non2xx=%d connect=%d read=%d write=%d timeout=%d p50_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write,
    e.timeout, latency:percentile(50), latency:percentile(99), latency.max))
end
