-- wrk script for bench/serve/run: sends BENCH_METHOD (default GET) with the body BENCH_BODY (if
-- set) and counts the answers by status, so that a benchmark can count only the answers it wants
-- (the creates' 201s). At the end it prints, after wrk's own report:
--   statuses 201=N 503=M
--   duration_us N
wrk.method = os.getenv("BENCH_METHOD") or wrk.method
wrk.body = os.getenv("BENCH_BODY") or wrk.body

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

counts = {}

function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("counts")) do
      total[status] = (total[status] or 0) + n
    end
  end
  local words = {}
  for status, n in pairs(total) do
    table.insert(words, status .. "=" .. n)
  end
  table.sort(words)
  io.write("statuses ", table.concat(words, " "), "\n")
  io.write("duration_us ", summary.duration, "\n")
end
