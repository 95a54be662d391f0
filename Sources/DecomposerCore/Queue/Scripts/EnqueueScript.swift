import Redis

extension QueueScripts {
    /// Creates a job and queues it, unless the idempotency key already names
    /// one or the queue is full.
    /// ARGV[5] id, [6] file id, [7] layers, [8] resolution, [9] max attempts,
    /// [10] max depth, [11] idempotency key ('' none), [12] request fingerprint, [13] max recoveries.
    /// Returns {'created', id} | {'existing', id} | {'conflict', id} | {'full', depth}.
    static let enqueue = RedisScript(name: "enqueue", source: QueueLuaLibrary.source + "\n" + #"""
    local now = nowMs()
    local id, idemKey, fingerprint = ARGV[5], ARGV[11], ARGV[12]
    local idemHash = prefix .. ':idempotency:' .. idemKey
    if idemKey ~= '' then
      local existing = redis.call('HMGET', idemHash, 'job_id', 'fingerprint')
      if existing[1] then
        if existing[2] ~= fingerprint then return {'conflict', existing[1]} end
        return {'existing', existing[1]}
      end
    end
    local depth = redis.call('LLEN', WAIT) + redis.call('ZCARD', DELAYED)
    if depth >= tonumber(ARGV[10]) then return {'full', tostring(depth)} end
    local key = jobKey(id)
    redis.call('HSET', key, 'id', id, 'file_id', ARGV[6], 'num_layers', ARGV[7], 'resolution', ARGV[8],
      'max_attempts', ARGV[9], 'max_recoveries', ARGV[13], 'attempts', '0', 'recoveries', '0', 'cost_micros', '0',
      'version', '0', 'created_at', tostring(now))
    local held = redis.call('GET', prefix .. ':queue:hold')
    change(id, now, {'status', 'queued', 'progress', '0', 'message', held or 'Waiting for a worker'})
    redis.call('LPUSH', WAIT, id)
    wake()
    redis.call('HINCRBY', STATS, 'enqueued', 1)
    if idemKey ~= '' then
      redis.call('HSET', idemHash, 'job_id', id, 'fingerprint', fingerprint)
      redis.call('PEXPIRE', idemHash, retentionMs)
    end
    return {'created', id}
    """#)
}
