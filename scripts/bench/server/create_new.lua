-- wrk script: JobService/Create with a new idempotency key on every request (each creates a job).
-- Arguments after `--`: API_KEY ORG_ID BODY_TEMPLATE KEY_PREFIX. BODY_TEMPLATE has one %s for the
-- key; keys are KEY_PREFIX-THREAD-N, so a fresh KEY_PREFIX per run keeps reruns from replaying.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

function init(args)
  use_api(args[1], args[2])
  template = args[3]
  prefix = args[4] .. "-" .. id .. "-"
  n = 0
end

function request()
  n = n + 1
  return wrk.format(nil, nil, nil, string.format(template, prefix .. n))
end
