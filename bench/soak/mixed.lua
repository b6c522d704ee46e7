-- wrk script for bench/soak/run: a mixed load over runmock's three APIs, as clients send it.
--   5 % creates (emergence create, amperity start, pennsieve create-and-trigger, in turn);
--  75 % gets of runs this thread learnt from the create answers (emergence get, amperity get,
--       pennsieve get and status; a create of that API while none is known yet);
--  20 % lists (emergence, emergence with a status filter, amperity, pennsieve).
-- Environment: SOAK_TOKEN (the dev token, required), SOAK_TENANT (amperity-tenant, "soak").
-- At the end it prints, after wrk's own report:
--   statuses 200=N 201=N 404=N ...    (every answer, by status)
--   store_full N                      (503s whose body says the run store is full)
--   learnt emergence=N amperity=N pennsieve=N
local token = os.getenv("SOAK_TOKEN") or error("mixed.lua: SOAK_TOKEN is not set")
local tenant = os.getenv("SOAK_TENANT") or "soak"

local emergence_runs = "/api/data-readiness/workflows/550e8400-e29b-41d4-a716-446655440001/runs"
local amperity_runs = "/api/workflow/runs"
local pennsieve_runs = "/compute/workflows/runs"
local pennsieve_org = "N:organization:7d1e2f3a-4b5c-4d6e-8f70-819a2b3c4d5e"

local function headers_of(api, content_type)
  local h = {}
  if api == "amperity" then
    h["amperity-tenant"] = tenant
    h["api-version"] = "2024-04-01"
    h["Authorization"] = "Bearer x"
  else
    h["Authorization"] = "Bearer " .. token
  end
  if content_type then h["Content-Type"] = content_type end
  return h
end

-- The requests that never change, built once per thread (in init, once wrk knows the Host).
local creates, lists = {}, {}
local threads = {}
local ring_size = 256
local known = {emergence = {}, amperity = {}, pennsieve = {}}  -- ids learnt, a ring per API
local next_slot = {emergence = 1, amperity = 1, pennsieve = 1}
local turn = 0
counts = {}
store_full = 0
learnt = {emergence = 0, amperity = 0, pennsieve = 0}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16))
  creates.emergence = wrk.format("POST", emergence_runs, headers_of("emergence", "application/json"),
    '{"asset_fqn": "PostgreSQL.dvdrental.public", "parameters": {"include": ["PostgreSQL.dvdrental.public.actor"]}, "save_all": true}')
  creates.amperity = wrk.format("POST", amperity_runs, headers_of("amperity", "application/x-www-form-urlencoded"),
    "config_id=cg-123ABc4DE&run_mode=source")
  creates.pennsieve = wrk.format("POST", pennsieve_runs, headers_of("pennsieve", "application/json"),
    '{"workflowInstanceId": "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d", ' ..
    '"dataSources": {"node_1718000000000_k3j9x2m1q": {"packageIds": ["N:package:9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"]}}, ' ..
    '"processorParams": {"node_1718000000100_p7v2n8c4r": {"OUTPUT_NAME": "x"}}}')
  lists = {
    wrk.format("GET", emergence_runs .. "?limit=20", headers_of("emergence")),
    wrk.format("GET", emergence_runs .. "?status=completed&limit=20", headers_of("emergence")),
    wrk.format("GET", amperity_runs .. "?limit=20", headers_of("amperity")),
    wrk.format("GET", pennsieve_runs .. "?organization_id=" .. pennsieve_org .. "&limit=20", headers_of("pennsieve")),
  }
end

local apis = {"emergence", "amperity", "pennsieve"}

local function get_of(api)
  local ids = known[api]
  if #ids == 0 then return creates[api] end
  local id = ids[math.random(#ids)]
  if api == "emergence" then return wrk.format("GET", emergence_runs .. "/" .. id, headers_of(api)) end
  if api == "amperity" then return wrk.format("GET", amperity_runs .. "/" .. id, headers_of(api)) end
  local path = pennsieve_runs .. "/" .. id
  if math.random() < 0.5 then path = path .. "/status" end
  return wrk.format("GET", path, headers_of(api))
end

function request()
  local r = math.random()
  if r < 0.05 then
    turn = turn % 3 + 1
    return creates[apis[turn]]
  elseif r < 0.80 then
    return get_of(apis[math.random(3)])
  end
  return lists[math.random(#lists)]
end

local function remember(api, id)
  known[api][next_slot[api]] = id
  next_slot[api] = next_slot[api] % ring_size + 1
  learnt[api] = learnt[api] + 1
end

-- Only create answers teach ids: emergence's and pennsieve's are 201s; amperity's start is a 200
-- that, unlike a get's overview, names the principal.
function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
  if status == 201 then
    local id = body:match('"configuration_id":"[^"]*","id":"([^"]+)"')
    if id then return remember("emergence", id) end
    id = body:match('"uuid":"([^"]+)","workflowInstanceId"')
    if id then return remember("pennsieve", id) end
  elseif status == 200 and body:find('"principal_id"', 1, true) and not body:find('{"data"', 1, true) then
    local id = body:match('"id":"(wf%-[^"]+)"')
    if id then return remember("amperity", id) end
  elseif status == 503 and body:find("store is full", 1, true) then
    store_full = store_full + 1
  end
end

function done(summary, latency, requests)
  local total, full, taught = {}, 0, {emergence = 0, amperity = 0, pennsieve = 0}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("counts")) do total[status] = (total[status] or 0) + n end
    full = full + thread:get("store_full")
    for api, n in pairs(thread:get("learnt")) do taught[api] = taught[api] + n end
  end
  local words = {}
  for status, n in pairs(total) do table.insert(words, status .. "=" .. n) end
  table.sort(words)
  io.write("statuses ", table.concat(words, " "), "\n")
  io.write("store_full ", full, "\n")
  io.write(string.format("learnt emergence=%d amperity=%d pennsieve=%d\n", taught.emergence, taught.amperity, taught.pennsieve))
end
