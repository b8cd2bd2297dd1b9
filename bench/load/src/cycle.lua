-- Sends each request with the next token of a pool, in order, cycling.
-- wrk ... -s cycle.lua <url> -- <file of tokens, one a line>
--
-- The requests are formatted once, in init, so that wrk spends no more per
-- request than with a fixed header; with -t1 there is one Lua state, so the
-- order is the pool's.
local requests = {}
local next_request = 0

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then
      requests[#requests + 1] = wrk.format(nil, nil, { Authorization = "Bearer " .. line })
    end
  end
  if #requests == 0 then
    error("no tokens in " .. tostring(args[1]))
  end
end

function request()
  next_request = next_request % #requests + 1
  return requests[next_request]
end
