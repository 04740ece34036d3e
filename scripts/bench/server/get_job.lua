-- wrk script: JobService/Get of one existing job. Arguments after `--`: API_KEY ORG_ID JOB_ID.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

function init(args)
  use_api(args[1], args[2])
  req = wrk.format(nil, nil, nil, string.format('{"id":"%s"}', args[3]))
end

function request()
  return req
end
