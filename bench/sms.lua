-- wrk script for bench/sms.sh: each request is one inbound SMS as Kannel's sms-service sends it
-- (GET with from/to/text/id/time/coding/charset), "HS <code>" for a random existing code, from a
-- sender and with a message id never used before in the run, so no request is a duplicate.
-- Usage: wrk ... -s bench/sms.lua URL -- CODES_FILE SECRET
-- done() prints the same machine-readable line as paths.lua.

local next_id = 1

function setup(thread)
  thread:set("thread_id", next_id)
  next_id = next_id + 1
end

local codes = {}
local prefix
local counter = 0

function init(args)
  local file, secret = args[1], args[2]
  if file == nil or secret == nil then
    error("sms.lua: give the codes file and the secret after --")
  end
  for line in io.lines(file) do
    if #line > 0 then
      codes[#codes + 1] = line
    end
  end
  if #codes == 0 then
    error("sms.lua: no codes in " .. file)
  end
  prefix = "/sms/v1/kannel/" .. secret .. "/inbound?to=8088&coding=0&charset=UTF-8&time=2026-11-23+08:00:00"
  math.randomseed(os.time() * 7919 + (thread_id or 0) * 104729)
end

function request()
  counter = counter + 1
  -- 09 + thread digit + 7-digit counter: a distinct mobile number per request.
  local sender = string.format("09%d%07d", (thread_id or 1) % 10, counter % 10000000)
  local id = string.format("%d-%d-%d", os.time(), thread_id or 1, counter)
  local code = codes[math.random(#codes)]
  return wrk.format("GET", prefix .. "&from=" .. sender .. "&id=" .. id .. "&text=HS+" .. code)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d bytes=%d err_connect=%d err_read=%d err_write=%d err_status=%d err_timeout=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(99)))
end
