import Redis

extension QueueScripts {
    /// Takes the next job with a lease, after promoting due retries and
    /// recovering expired leases — one atomic step, so a job is never held
    /// by two workers and never lost between states.
    /// ARGV[5] lease token, [6] lease ms, [7] progress, [8] message, [9] maintenance batch limit.
    /// Returns {'claimed', HGETALL…} | {'empty', next wake-up ms or ''}.
    static let claim = RedisScript(name: "claim", source: QueueLuaLibrary.source + "\n" + #"""
    local now = nowMs()
    local limit = tonumber(ARGV[9])
    promoteDue(now, limit)
    recoverExpired(now, limit)
    while true do
      local id = redis.call('RPOP', WAIT)
      if not id then break end
      local key = jobKey(id)
      -- Ids of jobs that expired or were cancelled meanwhile are dropped.
      if redis.call('HGET', key, 'status') == 'queued' then
        local leaseUntil = now + tonumber(ARGV[6])
        redis.call('ZADD', ACTIVE, leaseUntil, id)
        redis.call('HSET', key, 'lease_token', ARGV[5], 'lease_until', tostring(leaseUntil))
        redis.call('HDEL', key, 'last_error')
        change(id, now, {'status', 'processing', 'progress', ARGV[7], 'message', ARGV[8]})
        local reply = {'claimed'}
        for _, v in ipairs(redis.call('HGETALL', key)) do reply[#reply + 1] = v end
        return reply
      end
    end
    -- Nothing is waiting, so every wake-up token left is stale.
    redis.call('DEL', MARKER)
    local wakeAt = nil
    for _, set in ipairs({DELAYED, ACTIVE}) do
      local first = redis.call('ZRANGE', set, 0, 0, 'WITHSCORES')
      if first[2] and (wakeAt == nil or tonumber(first[2]) < wakeAt) then wakeAt = tonumber(first[2]) end
    end
    return {'empty', wakeAt and tostring(wakeAt) or '', tostring(now)}
    """#)

    /// Promotes due retries and recovers expired leases without claiming.
    /// ARGV[5] batch limit. Returns {promoted, recovered}.
    static let sweep = RedisScript(name: "sweep", source: QueueLuaLibrary.source + "\n" + #"""
    local now = nowMs()
    local limit = tonumber(ARGV[5])
    return {promoteDue(now, limit), recoverExpired(now, limit)}
    """#)
}
