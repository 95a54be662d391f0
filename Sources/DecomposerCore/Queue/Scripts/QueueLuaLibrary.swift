/// Lua shared by every queue script, prepended to each.
///
/// Calling convention (every script):
/// - KEYS: wait, active, delayed, marker, dead, stats (`QueueKeys.scriptKeys`)
/// - ARGV[1] key prefix, ARGV[2] now in ms ('' = Redis's own clock, one clock
///   for the whole fleet; tests pass a value), ARGV[3] retention ms,
///   ARGV[4] dead-letter cap; script arguments start at ARGV[5].
/// Job keys are derived from the prefix; they share its hash tag.
enum QueueLuaLibrary {
    static let source = #"""
    local prefix = ARGV[1]
    local retentionMs = tonumber(ARGV[3])
    local deadCap = tonumber(ARGV[4])
    local WAIT, ACTIVE, DELAYED, MARKER, DEAD, STATS = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]

    local function nowMs()
      local given = tonumber(ARGV[2])
      if given then return given end
      local t = redis.call('TIME')
      return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
    end

    local function jobKey(id) return prefix .. ':job:' .. id end

    -- Publishes the job as it is now: appended to its stream under id 0-<version>
    -- (so a watcher can read every change after the version it has) and on the
    -- events channel (one subscription per process fans out to watchers).
    local function emit(id)
      local key = jobKey(id)
      local flat = redis.call('HGETALL', key)
      local job = {}
      for i = 1, #flat, 2 do job[flat[i]] = flat[i + 1] end
      job['lease_token'] = nil
      local payload = cjson.encode(job)
      redis.call('XADD', key .. ':events', 'MAXLEN', '~', '256', '0-' .. job['version'], 'job', payload)
      redis.call('PUBLISH', prefix .. ':events', payload)
    end

    -- Every change goes through here: set fields, bump version, emit.
    local function change(id, now, fields)
      local key = jobKey(id)
      fields[#fields + 1] = 'updated_at'
      fields[#fields + 1] = tostring(now)
      redis.call('HSET', key, unpack(fields))
      redis.call('HINCRBY', key, 'version', 1)
      emit(id)
    end

    -- Ends a job: no lease, no longer active, expires after the retention.
    local function finish(id, now, status, fields)
      local key = jobKey(id)
      redis.call('ZREM', ACTIVE, id)
      redis.call('HDEL', key, 'lease_token', 'lease_until')
      fields[#fields + 1] = 'status'
      fields[#fields + 1] = status
      change(id, now, fields)
      redis.call('PEXPIRE', key, retentionMs)
      redis.call('PEXPIRE', key .. ':events', retentionMs)
      redis.call('HINCRBY', STATS, status, 1)
      if status == 'failed' then
        redis.call('ZADD', DEAD, now, id)
        redis.call('ZREMRANGEBYSCORE', DEAD, '-inf', now - retentionMs)
        redis.call('ZREMRANGEBYRANK', DEAD, 0, -(deadCap + 1))
      end
    end

    -- Nil when the caller holds the job's lease, else why not ('cancelled', 'lost').
    local function leaseProblem(id, token)
      local v = redis.call('HMGET', jobKey(id), 'status', 'lease_token')
      if v[1] == 'processing' and v[2] == token then return nil end
      if v[1] == 'cancelled' then return 'cancelled' end
      return 'lost'
    end

    local function wake() redis.call('LPUSH', MARKER, '1') end

    -- Moves retries whose backoff is over back to the wait list.
    local function promoteDue(now, limit)
      local due = redis.call('ZRANGEBYSCORE', DELAYED, '-inf', now, 'LIMIT', 0, limit)
      for _, id in ipairs(due) do
        redis.call('ZREM', DELAYED, id)
        redis.call('LPUSH', WAIT, id)
        wake()
      end
      return #due
    end

    -- Takes back jobs whose lease expired (their worker died) and queues them
    -- at the front; a job abandoned more often than its max_recoveries fails.
    local function recoverExpired(now, limit)
      local expired = redis.call('ZRANGEBYSCORE', ACTIVE, '-inf', now, 'LIMIT', 0, limit)
      for _, id in ipairs(expired) do
        redis.call('ZREM', ACTIVE, id)
        local key = jobKey(id)
        if redis.call('HGET', key, 'status') == 'processing' then
          redis.call('HDEL', key, 'lease_token', 'lease_until')
          local recoveries = redis.call('HINCRBY', key, 'recoveries', 1)
          redis.call('HINCRBY', STATS, 'recoveries', 1)
          local limit = tonumber(redis.call('HGET', key, 'max_recoveries') or redis.call('HGET', key, 'max_attempts') or '1')
          if recoveries > limit then
            local err = cjson.encode({code = 'abandoned', message = 'Workers stopped responding while running this job ' .. recoveries .. ' times; giving up'})
            finish(id, now, 'failed', {'error', err, 'message', 'Failed: workers kept stopping while running this job'})
          else
            redis.call('RPUSH', WAIT, id)
            wake()
            change(id, now, {'status', 'queued', 'progress', '0', 'message', 'Worker stopped responding; job queued again'})
          end
        end
      end
      return #expired
    end
    """#
}
