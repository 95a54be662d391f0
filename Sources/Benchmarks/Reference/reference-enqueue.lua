-- enqueue: creates a job and queues it, unless the idempotency key already names one or
-- the queue is full. While the queue is held or paused by an operator, the new job says why at once.
-- KEYS: the common eleven (library.lua), then
--   [12] the new job's hash, [13] its event stream, [14] the operator's pause ({p}:queue:operator-pause),
--   [15] the idempotency hash (only with a key)
-- ARGV: the common four, then
--   [5] job id, [6] file id, [7] layers, [8] resolution, [9] max attempts, [10] max queue depth,
--   [11] request fingerprint, [12] max recoveries, [13] whether the result cache applies (1/0),
--   [14] parent job id and [15] its layer index (a split of that layer; both '' for an upload's job),
--   [16] webhook URL and [17] its events, comma-separated ('' and '' without a webhook; see `emit`)
-- Returns {'created', id} | {'existing', id} | {'conflict', id} | {'full', depth}
local now = nowMs()
local id, idempotency, fingerprint = ARGV[5], KEYS[15], ARGV[11]
if idempotency then
  local existing = redis.call('HMGET', idempotency, 'job_id', 'fingerprint')
  if existing[1] then
    if existing[2] ~= fingerprint then return {'conflict', existing[1]} end
    return {'existing', existing[1]}
  end
end
local depth = redis.call('LLEN', WAIT) + redis.call('ZCARD', DELAYED)
if depth >= tonumber(ARGV[10]) then return {'full', tostring(depth)} end
local job = givenJob(id)
redis.call('HSET', job.key, 'id', id, 'file_id', ARGV[6], 'num_layers', ARGV[7], 'resolution', ARGV[8],
  'max_attempts', ARGV[9], 'max_recoveries', ARGV[12], 'attempts', '0', 'recoveries', '0', 'cost_micros', '0',
  'version', '0', 'created_at', tostring(now), 'cache', ARGV[13])
if (ARGV[14] or '') ~= '' then redis.call('HSET', job.key, 'parent_job_id', ARGV[14], 'parent_layer', ARGV[15]) end
if (ARGV[16] or '') ~= '' then redis.call('HSET', job.key, 'webhook', ARGV[16], 'webhook_events', ARGV[17]) end
local held = redis.call('GET', HOLD) or redis.call('GET', KEYS[14])
change(job, now, {'status', 'queued', 'progress', '0', 'message', held or 'Waiting for a worker'})
pushBack(id)
wake()
redis.call('HINCRBY', STATS, 'enqueued', 1)
if idempotency then
  redis.call('HSET', idempotency, 'job_id', id, 'fingerprint', fingerprint)
  redis.call('PEXPIRE', idempotency, retentionMs)
end
return {'created', id}
