-- wrk script for scripts/reliability/load: a mix of Create (1000 keys shared by every thread, so
-- the first pass creates and later ones replay), Get and List, in equal parts. Each thread stops
-- after LOAD_REQUESTS/threads answers. done() prints one `load:` line: answers, 429s, other errors.
local threads = {}
function setup(thread) table.insert(threads, thread) end

local key = os.getenv("LOAD_KEY")
local org = os.getenv("LOAD_ORG")
local job = os.getenv("LOAD_JOB")
local limit = tonumber(os.getenv("LOAD_PER_THREAD") or "25000")
local headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key, ["X-Organization-ID"] = org }
local sent = 0
answers, refused, errors, first_error = 0, 0, 0, ""

function request()
  sent = sent + 1
  local kind = sent % 3
  if kind == 0 then
    local body = '{"input_origin_id":"ori_local_input","input_path":"a.mp4","output_origin_id":"ori_local_output",'
      .. '"idempotency_key":"load-' .. (sent % 1000) .. '","outputs":[{"type":"mp4","video":[{"codec":"h264","resolution":"720p"}]}]}'
    return wrk.format("POST", "/transcodely.v1.JobService/Create", headers, body)
  elseif kind == 1 then
    return wrk.format("POST", "/transcodely.v1.JobService/Get", headers, '{"id":"' .. job .. '"}')
  end
  return wrk.format("POST", "/transcodely.v1.JobService/List", headers, '{"page_size":10}')
end

function response(status, headers, body)
  answers = answers + 1
  if status == 429 then
    refused = refused + 1
  elseif status < 200 or status > 299 then
    errors = errors + 1
    if first_error == "" then first_error = status .. " " .. string.sub((body or ""):gsub("%s+", " "), 1, 200) end
  end
  if answers >= limit then wrk.thread:stop() end
end

function done(summary, latency, requests)
  local a, r, e, f = 0, 0, 0, ""
  for _, t in ipairs(threads) do
    a = a + t:get("answers"); r = r + t:get("refused"); e = e + t:get("errors")
    if f == "" then f = t:get("first_error") end
  end
  io.write(string.format("load: answers=%d refused=%d errors=%d socket_errors=%d p50_ms=%.2f p99_ms=%.2f max_ms=%.2f first_error=%s\n",
    a, r, e, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000, f))
end
