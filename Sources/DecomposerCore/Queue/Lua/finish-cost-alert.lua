-- finish-cost-alert: removes a cost alert from the outbox once delivered (or refused for good by
-- the receiver), whichever claim delivered it: a delivered alert is never sent again.
-- KEYS: the common eight (library.lua), then [9] the alert outbox (HASH), [10] the alerts' due times (ZSET)
-- ARGV: the common four, then [5] alert id
-- Returns {'finished'} or {'gone'} (another deliverer finished it already)
local outbox, due = KEYS[9], KEYS[10]
redis.call('ZREM', due, ARGV[5])
if redis.call('HDEL', outbox, ARGV[5]) == 1 then return {'finished'} end
return {'gone'}
