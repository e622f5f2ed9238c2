-- wrk script: cycles through the paths given after `--`, and reports what the test needs
-- as one JSON line: requests, errors by kind, requests per second, latency percentiles.
local paths = {}
local counter = 0

function init(args)
  for _, path in ipairs(args) do
    table.insert(paths, path)
  end
  counter = math.random(#paths)
end

function request()
  counter = counter % #paths + 1
  return wrk.format("GET", paths[counter])
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %.2f, "rps": %.1f, "connect_errors": %d, ' ..
    '"read_errors": %d, "write_errors": %d, "timeouts": %d, "bad_status": %d, ' ..
    '"p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f}\n',
    summary.requests, seconds, summary.requests / seconds, e.connect, e.read, e.write,
    e.timeout, e.status, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000))
end
