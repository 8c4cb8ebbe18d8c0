"""Lua scripts the aggregator sends with EVAL."""

# Batches cross the wire as a few packed strings that small Lua scripts unpack inside Redis:
# encoding one argument per counter or event id would cost the aggregator more than counting
# (and Redis runs on the other core). Scripts go with EVAL, not EVALSHA: inside MULTI a
# missing script would fail alone instead of failing the transaction.

# KEYS: counter hashes. ARGV[1]: ttl; ARGV[1+k]: "set", "sum" or "max"; ARGV[1+#KEYS+k]: the
# key's "field<TAB>value" lines. "set" goes as few HSETs of thousands of fields each.
APPLY_COUNTERS = r"""
local ttl, n = tonumber(ARGV[1]), #KEYS
for k = 1, n do
  local key, mode, values = KEYS[k], ARGV[1 + k], {}
  for f, v in string.gmatch(ARGV[1 + n + k], "([^\t\n]+)\t([^\n]+)") do
    if mode == 'set' then
      values[#values + 1] = f
      values[#values + 1] = v
      if #values >= 6000 then redis.call('HSET', key, unpack(values)); values = {} end
    elseif mode == 'max' then
      if tonumber(v) > tonumber(redis.call('HGET', key, f) or '0') then
        redis.call('HSET', key, f, v)
      end
    else
      redis.call('HINCRBY', key, f, v)
    end
  end
  if #values > 0 then redis.call('HSET', key, unpack(values)) end
  if ttl > 0 then redis.call('EXPIRE', key, ttl) end
end
return 0
"""

# KEYS[1]: a counter hash; ARGV[1]: a field; ARGV[2]: a value. Raises the field to the value
# (for the few fields that cannot travel packed).
HMAX_ONE = r"""
if tonumber(ARGV[2]) > tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0') then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
end
return 0
"""

# KEYS: the seen-id sets of the last days (newest first); ARGV[1]: newline-separated ids.
# Returns one character per id: "1" when any of the sets has it. SMISMEMBER answers thousands
# of ids per call; a call per id from Lua costs Redis ten times as much.
ARE_SEEN = r"""
local ids = {}
for id in string.gmatch(ARGV[1], "[^\n]+") do ids[#ids + 1] = id end
local hit = {}
for k = 1, #KEYS do
  if redis.call('EXISTS', KEYS[k]) == 1 then
    for first = 1, #ids, 4000 do
      local last = math.min(first + 3999, #ids)
      local found = redis.call('SMISMEMBER', KEYS[k], unpack(ids, first, last))
      for i = 1, #found do
        if found[i] == 1 then hit[first + i - 1] = true end
      end
    end
  end
end
local out = {}
for i = 1, #ids do out[i] = hit[i] and '1' or '0' end
return table.concat(out)
"""

# KEYS[1]: today's seen-id set; ARGV[1]: its ttl; ARGV[2]: newline-separated ids to add.
MARK_SEEN = r"""
local chunk = {}
for id in string.gmatch(ARGV[2], "[^\n]+") do
  chunk[#chunk + 1] = id
  if #chunk == 4000 then redis.call('SADD', KEYS[1], unpack(chunk)); chunk = {} end
end
if #chunk > 0 then redis.call('SADD', KEYS[1], unpack(chunk)) end
redis.call('EXPIRE', KEYS[1], ARGV[1])
return 0
"""

# KEYS[1]: a lease; ARGV[1]: the owner's name; ARGV[2]: lifetime in ms. Takes the lease when it
# is free, renews it when the owner holds it; 1 when the owner holds it afterwards, else 0.
# One script, so that the lease cannot change hands between the check and the renewal.
HOLD_LEASE = r"""
local v = redis.call('GET', KEYS[1])
if v == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]); return 1 end
if not v then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]); return 1 end
return 0
"""

# KEYS[1]: a lease; ARGV[1]: the owner's name. Deletes the lease only if the owner holds it.
RELEASE_LEASE = r"""
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

# KEYS[1]: the outbox; ARGV[1]: how many elements were written to SQL; ARGV[2], ARGV[3]: the
# first and last of them. Trims them only if they are still the head of the list: a second
# trim of the same elements (a retried command, another worker that wrote them too) is a no-op.
TRIM_OUTBOX = r"""
local n = tonumber(ARGV[1])
if redis.call('LINDEX', KEYS[1], 0) == ARGV[2] and redis.call('LINDEX', KEYS[1], n - 1) == ARGV[3]
then redis.call('LTRIM', KEYS[1], n, -1); return 1 end
return 0
"""
