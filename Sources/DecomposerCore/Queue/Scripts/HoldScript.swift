import Redis

extension QueueScripts {
    /// Holds the queue: workers stop claiming (the daily budget is spent) and
    /// every waiting job says why, through a normal change event. Jobs queued
    /// while the hold lasts get the same message. The hold key expires on its own.
    /// ARGV[5] message, [6] hold end (ms, Unix epoch).
    /// Returns {'held', jobs annotated} the first time, {'already', 0} after.
    static let hold = RedisScript(name: "hold", source: QueueLuaLibrary.source + "\n" + #"""
    local now = nowMs()
    local holdKey = prefix .. ':queue:hold'
    if redis.call('EXISTS', holdKey) == 1 then return {'already', 0} end
    redis.call('SET', holdKey, ARGV[5], 'PXAT', ARGV[6])
    local annotated = 0
    local waiting = redis.call('LRANGE', WAIT, 0, -1)
    for _, id in ipairs(waiting) do
      if redis.call('HGET', jobKey(id), 'status') == 'queued' then
        change(id, now, {'message', ARGV[5]})
        annotated = annotated + 1
      end
    end
    return {'held', annotated}
    """#)
}
