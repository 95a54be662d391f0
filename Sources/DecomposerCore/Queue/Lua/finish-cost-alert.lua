-- finish-cost-alert: removes a cost alert from the outbox once delivered (or refused for good by
-- the receiver), whichever claim delivered it: a delivered alert is never sent again.
-- KEYS: the common eleven (library-core.lua), then [12] the alert outbox (HASH), [13] the alerts' due times (ZSET)
-- ARGV: the common four, then [5] alert id
-- Returns {'finished'} or {'gone'} (another deliverer finished it already)
local outbox, due = KEYS[12], KEYS[13]
redis.call('ZREM', due, ARGV[5])
if redis.call('HDEL', outbox, ARGV[5]) == 1 then return {'finished'} end
return {'gone'}
