-- Shared by the wrk scripts of scripts/bench/server/run (loaded with dofile): numbers the threads,
-- counts non-2xx and `Idempotent-Replayed: true` responses per thread, and prints the totals in
-- done() as one `lua:` line that report.py reads.

local threads = {}
local next_id = 1

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

-- Per-thread counters (globals, so done() can read them with thread:get).
responses, non2xx, replayed, first_error = 0, 0, 0, ""

function response(status, headers, body)
  responses = responses + 1
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    if first_error == "" then
      first_error = status .. " " .. string.sub((body or ""):gsub("%s+", " "), 1, 300)
    end
  end
  local r = headers["Idempotent-Replayed"] or headers["idempotent-replayed"]
  if r == "true" then replayed = replayed + 1 end
end

function done(summary, latency, requests)
  local total, bad, rep, err = 0, 0, 0, ""
  for _, thread in ipairs(threads) do
    total = total + thread:get("responses")
    bad = bad + thread:get("non2xx")
    rep = rep + thread:get("replayed")
    if err == "" then err = thread:get("first_error") end
  end
  io.write(string.format("lua: responses=%d non2xx=%d replayed=%d\n", total, bad, rep))
  if err ~= "" then io.write("lua: first non-2xx: " .. err .. "\n") end
end

-- Makes every request of this thread a Connect unary call of the API: POST, JSON, credentials.
function use_api(api_key, org_id)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. api_key
  wrk.headers["X-Organization-ID"] = org_id
end
