-- wrk script: JobService/Create replaying keys that already exist (every answer should be 200 with
-- `Idempotent-Replayed: true`). Arguments after `--`: API_KEY ORG_ID BODY_TEMPLATE KEY_PREFIX COUNT;
-- the keys KEY_PREFIX0 .. KEY_PREFIX(COUNT-1) must have been created with the same BODY_TEMPLATE.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

function init(args)
  use_api(args[1], args[2])
  local template, prefix, count = args[3], args[4], tonumber(args[5])
  reqs = {}
  for i = 0, count - 1 do
    reqs[#reqs + 1] = wrk.format(nil, nil, nil, string.format(template, prefix .. i))
  end
  -- Threads start at different keys and cycle through all of them.
  n = ((id - 1) * 7919) % count
end

function request()
  n = n % #reqs + 1
  return reqs[n]
end
