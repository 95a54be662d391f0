import Redis

extension QueueScripts {
    /// ARGV[5] id, [6] token, [7] result JSON. Returns 'ok' | 'cancelled' | 'lost'.
    static let complete = RedisScript(name: "complete", source: QueueLuaLibrary.source + "\n" + #"""
    local id, token = ARGV[5], ARGV[6]
    local problem = leaseProblem(id, token)
    if problem then return problem end
    finish(id, nowMs(), 'completed', {'progress', '100', 'message', 'Done', 'result', ARGV[7]})
    return 'ok'
    """#)

    /// ARGV[5] id, [6] token, [7] error JSON, [8] message. Returns 'ok' | 'cancelled' | 'lost'.
    static let fail = RedisScript(name: "fail", source: QueueLuaLibrary.source + "\n" + #"""
    local id, token = ARGV[5], ARGV[6]
    local problem = leaseProblem(id, token)
    if problem then return problem end
    finish(id, nowMs(), 'failed', {'error', ARGV[7], 'message', ARGV[8]})
    return 'ok'
    """#)

    /// Schedules another attempt after a backoff, durably (a sorted set, not a
    /// worker's memory) — or fails the job when its attempts are used up.
    /// ARGV[5] id, [6] token, [7] error JSON, [8] delay ms, [9] retry message,
    /// [10] exhausted message. Returns 'scheduled' | 'exhausted' | 'cancelled' | 'lost'.
    static let retry = RedisScript(name: "retry", source: QueueLuaLibrary.source + "\n" + #"""
    local id, token = ARGV[5], ARGV[6]
    local problem = leaseProblem(id, token)
    if problem then return problem end
    local now = nowMs()
    local key = jobKey(id)
    local attempts = tonumber(redis.call('HGET', key, 'attempts') or '0')
    local maxAttempts = tonumber(redis.call('HGET', key, 'max_attempts') or '1')
    if attempts >= maxAttempts then
      finish(id, now, 'failed', {'error', ARGV[7], 'message', ARGV[10]})
      return 'exhausted'
    end
    redis.call('ZREM', ACTIVE, id)
    redis.call('HDEL', key, 'lease_token', 'lease_until')
    redis.call('ZADD', DELAYED, now + tonumber(ARGV[8]), id)
    -- Wake idle workers so they re-plan their sleep around this due time.
    wake()
    redis.call('HINCRBY', STATS, 'retries', 1)
    change(id, now, {'status', 'queued', 'progress', '0', 'message', ARGV[9], 'last_error', ARGV[7]})
    return 'scheduled'
    """#)

    /// Cancels a queued job at once (it is never claimed) or a running one (its
    /// lease ends; the worker sees the event and its next write is refused).
    /// ARGV[5] id. Returns {'cancelled', previous status} | {'finished', status} | {'missing'}.
    static let cancel = RedisScript(name: "cancel", source: QueueLuaLibrary.source + "\n" + #"""
    local id = ARGV[5]
    local status = redis.call('HGET', jobKey(id), 'status')
    if not status then return {'missing'} end
    if status ~= 'queued' and status ~= 'processing' then return {'finished', status} end
    redis.call('LREM', WAIT, 0, id)
    redis.call('ZREM', DELAYED, id)
    finish(id, nowMs(), 'cancelled', {'message', 'Cancelled'})
    return {'cancelled', status}
    """#)
}
