import Redis

/// The queue's Lua scripts, each a named resource loaded once per process.
enum QueueScripts {
    static let all: [RedisScript] = [enqueue, claim, sweep, renew, progress, release, complete, fail, retry, cancel, hold]
}

extension QueueScripts {
    /// Extends the caller's lease. ARGV[5] id, [6] token, [7] lease ms.
    /// Returns 'ok' | 'cancelled' | 'lost'.
    static let renew = RedisScript(name: "renew", source: QueueLuaLibrary.source + "\n" + #"""
    local id, token = ARGV[5], ARGV[6]
    local problem = leaseProblem(id, token)
    if problem then return problem end
    local leaseUntil = nowMs() + tonumber(ARGV[7])
    redis.call('ZADD', ACTIVE, leaseUntil, id)
    redis.call('HSET', jobKey(id), 'lease_until', tostring(leaseUntil))
    return 'ok'
    """#)

    /// Reports progress (never backwards within an attempt) and, with ARGV[9]
    /// an attempt number (not '0'), records that call to the endpoint as made:
    /// `attempts` becomes at least that number, so a write sent again after a
    /// lost reply counts the call once. ARGV[5] id, [6] token, [7] progress,
    /// [8] message. Returns 'ok' | 'cancelled' | 'lost'.
    static let progress = RedisScript(name: "progress", source: QueueLuaLibrary.source + "\n" + #"""
    local id, token = ARGV[5], ARGV[6]
    local problem = leaseProblem(id, token)
    if problem then return problem end
    local key = jobKey(id)
    local current = tonumber(redis.call('HGET', key, 'progress') or '0')
    local wanted = math.max(current, math.min(100, tonumber(ARGV[7])))
    local attempt = tonumber(ARGV[9])
    if attempt > 0 and attempt > tonumber(redis.call('HGET', key, 'attempts') or '0') then
      redis.call('HSET', key, 'attempts', tostring(attempt))
    end
    change(id, nowMs(), {'progress', tostring(wanted), 'message', ARGV[8]})
    return 'ok'
    """#)

    /// Hands a job back at the front of the queue (a worker shutting down), so
    /// another worker takes it now rather than after the lease expires.
    /// ARGV[5] id, [6] token, [7] message. Returns 'ok' | 'cancelled' | 'lost'.
    static let release = RedisScript(name: "release", source: QueueLuaLibrary.source + "\n" + #"""
    local id, token = ARGV[5], ARGV[6]
    local problem = leaseProblem(id, token)
    if problem then return problem end
    redis.call('ZREM', ACTIVE, id)
    redis.call('HDEL', jobKey(id), 'lease_token', 'lease_until')
    redis.call('RPUSH', WAIT, id)
    wake()
    change(id, nowMs(), {'status', 'queued', 'progress', '0', 'message', ARGV[7]})
    return 'ok'
    """#)
}
