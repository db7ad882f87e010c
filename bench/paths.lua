-- wrk script for bench/run.sh: each request asks for a random path from a file (one path per
-- line, e.g. /api/v1/dossiers/CODE). Usage: wrk ... -s bench/paths.lua URL -- PATHS_FILE
-- A line may add request headers after the path, tab-separated, each as `Name: value` (bench/qr.sh
-- signs its print requests this way).
-- The requests are formatted once in init(), so the per-request Lua cost is one table lookup.
-- done() prints one machine-readable line for the summariser.

local next_id = 1

function setup(thread)
  thread:set("thread_id", next_id)
  next_id = next_id + 1
end

local requests = {}

function init(args)
  local file = args[1]
  if file == nil then
    error("paths.lua: give the paths file after --")
  end
  for line in io.lines(file) do
    if #line > 0 then
      local path, headers = nil, {}
      for field in string.gmatch(line, "[^\t]+") do
        if path == nil then
          path = field
        else
          local name, value = string.match(field, "^([^:]+):%s*(.*)$")
          if name then headers[name] = value end
        end
      end
      requests[#requests + 1] = wrk.format("GET", path, headers)
    end
  end
  if #requests == 0 then
    error("paths.lua: no paths in " .. file)
  end
  math.randomseed(os.time() * 7919 + (thread_id or 0) * 104729)
end

function request()
  return requests[math.random(#requests)]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d bytes=%d err_connect=%d err_read=%d err_write=%d err_status=%d err_timeout=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(99)))
end
