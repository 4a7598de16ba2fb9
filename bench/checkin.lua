-- wrk script for bench/checkin.py: one mode per run, and a JSON summary on the last line.
--
--   wrk ... -s bench/checkin.lua URL -- checkin SESSIONS_FILE RUN_TAG   full check-in POSTs
--   wrk ... -s bench/checkin.lua URL -- insert                          POST /bench/insert
--   wrk ... -s bench/checkin.lua URL -- ok                              GET /bench/ok
--
-- In checkin mode each request takes the next signed-in deputy from SESSIONS_FILE (a Lua file
-- returning {{path=, cookie=, csrf=, used=, tokens={...}}, ...}, written by bench/checkin.py) and a nonce no
-- request ever used, so every request is a new check-in, never a retry of an earlier one.

local threads = {}
local next_id = 0

function setup(thread)
   thread:set("thread_id", next_id)
   next_id = next_id + 1
   table.insert(threads, thread)
end

local mode, sessions, run_tag
local counter = 0
statuses = {}  -- global: done() reads it from each thread

local USER_AGENT = "liaison-bench"

function init(args)
   mode = args[1]
   if mode == "checkin" then
      sessions = dofile(args[2])
      run_tag = args[3]
   elseif mode == "insert" then
      wrk.method = "POST"
      wrk.path = "/bench/insert"
      wrk.body = "x=1"
      wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
   else
      wrk.path = "/bench/ok"
   end
   wrk.headers["User-Agent"] = USER_AGENT
end

function request()
   if mode ~= "checkin" then
      return wrk.format()
   end
   counter = counter + 1
   -- Threads start at different deputies so they do not walk the list in step.
   local s = sessions[((counter * 7 + thread_id * 131) % #sessions) + 1]
   local nonce = string.format("%s%02d%010d", run_tag, thread_id, counter)
   -- A kiosk code makes one check-in: each request takes its deputy's next one (each thread has
   -- its own copy of the list: thread 0 takes the odd places, thread 1 the even ones).
   s.used = s.used + 1
   local token = s.tokens[(((s.used - 1) * 2 + thread_id) % #s.tokens) + 1]
   local body = "csrf_token=" .. s.csrf .. "&nonce=" .. nonce .. "&t=" .. token
   return wrk.format("POST", s.path, {
      ["Cookie"] = s.cookie,
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["User-Agent"] = USER_AGENT,
   }, body)
end

function response(status, headers, body)
   statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
   local counts = {}
   for _, thread in ipairs(threads) do
      local seen = thread:get("statuses")
      for status, n in pairs(seen) do
         counts[tostring(status)] = (counts[tostring(status)] or 0) + n
      end
   end
   local parts = {}
   for status, n in pairs(counts) do
      table.insert(parts, string.format('"%s": %d', status, n))
   end
   local e = summary.errors
   io.write(string.format(
      'BENCH_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, ' ..
      '"max_us": %d, "connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d, ' ..
      '"statuses": {%s}}\n',
      summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
      latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout,
      table.concat(parts, ", ")))
end
