-- wrk script: GET /healthz, the baseline the API calls are compared with. No arguments.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

function init(args)
  req = wrk.format("GET")
end

function request()
  return req
end
