-- pipeline.lua: wrk script sending DEPTH (default 16) pipelined GET
-- requests per write, for the held-response batching in ws/conn.c.
-- Usage: wrk -t2 -c64 -d5s -s perf/http/pipeline.lua http://127.0.0.1:PORT/ [-- DEPTH PATH]
local batch
function init(args)
    local depth = tonumber(args[1]) or 16
    local path = args[2] or "/"
    local r = {}
    for i = 1, depth do
        r[i] = wrk.format("GET", path)
    end
    batch = table.concat(r)
end
function request()
    return batch
end
