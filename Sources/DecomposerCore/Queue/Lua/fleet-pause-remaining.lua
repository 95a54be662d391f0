-- fleet-pause-remaining: how long the fleet pause lasts from now, on Redis's clock
-- (a read; a script so the pause end and "now" come from one clock).
-- KEYS: the common eleven (library-core.lua), then [12] the fleet pause ({p}:gpu:paused_until, ms)
-- ARGV: the common four
-- Returns {'remaining', ms (0 when not paused)}
local untilMs = tonumber(redis.call('GET', KEYS[12]) or '0')
return {'remaining', math.max(0, untilMs - nowMs())}
