-- wrk script of scripts/bench. From the environment:
--   BENCH_PATHS  a file with one request path per line; requests cycle through it
--   BENCH_AUTH   one header, e.g. "Authorization: Bearer <jwt>" or "Cookie: staer_session=<jwt>"
-- done() prints one line: RESULT requests errors req_per_s p50_ms p99_ms
local paths = {}
local idx = 0

function init(args)
  local file = os.getenv("BENCH_PATHS")
  if file then
    for line in io.lines(file) do
      if #line > 0 then paths[#paths + 1] = line end
    end
  end
  local auth = os.getenv("BENCH_AUTH")
  if auth then
    local name, value = auth:match("^([^:]+):%s*(.*)$")
    wrk.headers[name] = value
  end
end

function request()
  if #paths == 0 then return wrk.request() end
  idx = idx % #paths + 1
  return wrk.format(nil, paths[idx])
end

function done(summary, latency, requests)
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.timeout + e.status
  local seconds = summary.duration / 1e6
  io.write(string.format("RESULT %d %d %.1f %.3f %.3f\n", summary.requests, errors,
    summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
