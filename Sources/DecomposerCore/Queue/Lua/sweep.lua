-- sweep: promotes due retries and recovers expired leases without claiming; any process
-- may run it at any time (QueueMaintenance).
-- KEYS: the common eleven (library-core.lua)
-- ARGV: the common four, then [5] batch limit
-- Returns {'swept', promoted, recovered}
local now = nowMs()
local limit = tonumber(ARGV[5])
local promoted = promoteDue(now, limit)
return {'swept', promoted, recoverExpired(now, limit)}
