"""Lua scripts of the Redis state (state_redis.py): each step is atomic on the Redis server.

Why scripts and not plain commands: a claim must be set-if-absent *and* get an
expiry *and* stay bounded in number in one step (two replicas receiving Kakao's
retry of one request at the same moment must not both win), and a late
callbackUrl must be registered only while the owner has not started delivering.

Index sorted sets (score = last write, wall clock) bound each kind by count, like
the in-memory caps: beyond `max`, the least recently written entries are dropped.
"""

# KEYS: key, index. ARGV: now, ttl seconds, max entries.
# Common tail: remember `key` in the index, drop expired and surplus entries.
_INDEX = """
local function index(key, idx, now, ttl, max)
  redis.call('ZREMRANGEBYSCORE', idx, '-inf', now - ttl)
  redis.call('ZADD', idx, now, key)
  redis.call('PEXPIRE', idx, math.floor(ttl * 1000))  -- an abandoned index goes too
  local surplus = redis.call('ZCARD', idx) - max
  if surplus > 0 then
    local old = redis.call('ZPOPMIN', idx, surplus)
    for i = 1, #old, 2 do
      if old[i] ~= key then redis.call('DEL', old[i]) end
    end
  end
end
"""

# KEYS: job, jobs index. ARGV: token, running ttl ms, now, index ttl s, max jobs.
# Returns nil when the claim is ours, else the current entry (HGETALL pairs).
CLAIM = (
    _INDEX
    + """
local status = redis.call('HGET', KEYS[1], 'status')
if status and status ~= 'answered' then
  return redis.call('HGETALL', KEYS[1])
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'token', ARGV[1], 'status', 'running')
redis.call('PEXPIRE', KEYS[1], ARGV[2])
index(KEYS[1], KEYS[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]))
return false
"""
)

# KEYS: job. ARGV: callback url ('' = none), its request's wall time.
# 1: registered (the owner delivers to the newest url); 0: gone or already delivering.
DEFER = """
local status = redis.call('HGET', KEYS[1], 'status')
if status ~= 'running' and status ~= 'deferred' then return 0 end
redis.call('HSET', KEYS[1], 'status', 'deferred')
if ARGV[1] ~= '' then
  local at = tonumber(redis.call('HGET', KEYS[1], 'callback_at') or '0')
  if tonumber(ARGV[2]) >= at then
    redis.call('HSET', KEYS[1], 'callback_url', ARGV[1], 'callback_at', ARGV[2])
  end
end
return 1
"""

# KEYS: job. Returns {url, at} ('' when none): the newest callback, after which none is taken.
START_DELIVERY = """
if redis.call('EXISTS', KEYS[1]) == 0 then return {'', ''} end
redis.call('HSET', KEYS[1], 'status', 'delivering')
local url = redis.call('HGET', KEYS[1], 'callback_url') or ''
local at = redis.call('HGET', KEYS[1], 'callback_at') or ''
return {url, at}
"""

# KEYS: job. ARGV: status, ttl ms, response json ('' = none), messages json.
FINISH = """
redis.call('HSET', KEYS[1], 'status', ARGV[1], 'response', ARGV[3], 'messages', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
"""

# KEYS: job. ARGV: response json ('' = none). Only on an entry that still exists.
SET_RESPONSE = """
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'response', ARGV[1]) end
return 1
"""

# KEYS: held list, held index. ARGV: now, ttl s, max senders, max messages, front (1/0), messages...
# front=1 puts the messages before the kept ones (a failed callback's answer, restored).
HOLD = (
    _INDEX
    + """
local n = #ARGV
if ARGV[5] == '1' then
  for i = n, 6, -1 do redis.call('LPUSH', KEYS[1], ARGV[i]) end
else
  for i = 6, n do redis.call('RPUSH', KEYS[1], ARGV[i]) end
end
redis.call('LTRIM', KEYS[1], -tonumber(ARGV[4]), -1)
redis.call('PEXPIRE', KEYS[1], math.floor(tonumber(ARGV[2]) * 1000))
index(KEYS[1], KEYS[2], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]))
return 1
"""
)

# KEYS: held list, held index. Returns the kept messages and forgets them.
TAKE_HELD = """
local held = redis.call('LRANGE', KEYS[1], 0, -1)
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], KEYS[1])
return held
"""

# KEYS: pages, pages index. ARGV: now, ttl s, max senders, pages json ('' = forget).
KEEP_PAGES = (
    _INDEX
    + """
if ARGV[4] == '' then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], KEYS[1])
  return 1
end
redis.call('SET', KEYS[1], ARGV[4], 'PX', math.floor(tonumber(ARGV[2]) * 1000))
index(KEYS[1], KEYS[2], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]))
return 1
"""
)
