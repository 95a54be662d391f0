-- enqueue: creates a job and queues it, unless the idempotency key already names one or
-- the queue is full. While the queue is held or paused by an operator, the new job says why at once.
-- KEYS: the common eleven (library-core.lua), then
--   [12] the new job's hash, [13] its event stream, [14] the operator's pause ({p}:queue:operator-pause),
--   [15] the upload's note ({p}:upload:{file id}), [16] the idempotency hash (only with a key)
-- ARGV: the common four, then
--   [5] job id, [6] file id, [7] layers, [8] resolution, [9] max attempts, [10] max queue depth,
--   [11] request fingerprint ('' without an idempotency key, the only thing it is compared with),
--   [12] max recoveries, [13] whether the result cache applies (1/0),
--   [14] parent job id and [15] its layer index (a split of that layer; both '' for an upload's job),
--   [16] webhook URL and [17] its events, comma-separated ('' and '' without a webhook; see `emit`),
--   [18] '1' when the upload must be noted (KEYS[15]), so the API asks no storage per enqueue
-- Returns {'created', id} | {'existing', id} | {'conflict', id} | {'full', depth} | {'no_upload'}
local now = nowMs()
local id, idempotency, fingerprint = ARGV[5], KEYS[16], ARGV[11]
if idempotency then
  local existing = redis.call('HMGET', idempotency, 'job_id', 'fingerprint')
  if existing[1] then
    if existing[2] ~= fingerprint then return {'conflict', existing[1]} end
    return {'existing', existing[1]}
  end
end
if ARGV[18] == '1' and redis.call('EXISTS', KEYS[15]) == 0 then return {'no_upload'} end
local depth = redis.call('LLEN', WAIT) + redis.call('ZCARD', DELAYED)
if depth >= tonumber(ARGV[10]) then return {'full', tostring(depth)} end
local job = givenJob(id)
-- The whole job in one HSET and its first event (as `change` + `emit` would leave it: version 1,
-- queued) written from the same values, not a write, a version bump and a read-back. The JSON is
-- built here: every value but the message is a UUID, a number or a constant the queue wrote
-- (never text to escape); the message goes through cjson. Keep the two lists alike, and
-- `JobQueue.firstEvent` (QueueEventTests compares a new job's stored fields with its first event,
-- kept, announced and rebuilt).
local pause = redis.call('MGET', HOLD, KEYS[14])
local held = pause[1] or pause[2]
local nowText, message = tostring(now), held or 'Waiting for a worker'
redis.call('HSET', job.key, 'id', id, 'file_id', ARGV[6], 'num_layers', ARGV[7], 'resolution', ARGV[8],
  'max_attempts', ARGV[9], 'max_recoveries', ARGV[12], 'attempts', '0', 'recoveries', '0', 'cost_micros', '0',
  'version', '1', 'created_at', nowText, 'updated_at', nowText, 'cache', ARGV[13],
  'status', 'queued', 'progress', '0', 'message', message)
local parent = ''
if (ARGV[14] or '') ~= '' then
  redis.call('HSET', job.key, 'parent_job_id', ARGV[14], 'parent_layer', ARGV[15])
  parent = ',"parent_job_id":"' .. ARGV[14] .. '","parent_layer":"' .. ARGV[15] .. '"'
end
local payload = '{"id":"' .. id .. '","file_id":"' .. ARGV[6] .. '","num_layers":"' .. ARGV[7]
  .. '","resolution":"' .. ARGV[8] .. '","max_attempts":"' .. ARGV[9] .. '","max_recoveries":"' .. ARGV[12]
  .. '","attempts":"0","recoveries":"0","cost_micros":"0","version":"1","created_at":"' .. nowText
  .. '","updated_at":"' .. nowText .. '","cache":"' .. ARGV[13]
  .. '","status":"queued","progress":"0","message":' .. cjson.encode(message) .. parent .. '}'
-- Announced (the admin page's live view shows new jobs) but kept only when a hold or an operator's
-- pause gave it its message (the hash will not say it once the message changes): nobody can be
-- watching a job before its id is answered, so its stream starts at its first change and
-- `JobQueue.events` rebuilds version 1 from the hash. A queue of waiting jobs then holds no stream each (a stream's first node takes about 4.7 KiB of Redis memory, the job's hash
-- about 0.4), and the enqueue, the API's busiest write, creates one key fewer.
if held then keep(job, '1', payload) end
announce(payload)
local hook = ARGV[16] or ''
if hook ~= '' then
  -- A webhook as `emit` would treat it: stored with the job, its status seen, the event queued if asked for.
  redis.call('HSET', job.key, 'webhook', hook, 'webhook_events', ARGV[17], 'webhook_status', 'queued')
  notifyWebhook(job, '1', nowText, payload, hook, ARGV[17], 'queued')
end
pushBack(id)
wake()
redis.call('HINCRBY', STATS, 'enqueued', '1')
if idempotency then
  redis.call('HSET', idempotency, 'job_id', id, 'fingerprint', fingerprint)
  redis.call('PEXPIRE', idempotency, retentionMs)
end
return {'created', id}
