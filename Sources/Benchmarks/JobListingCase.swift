import DecomposerCore
import Foundation
import Redis
import SystemSupport

/// `job-listing --jobs N [--limit L]`: `JobQueue.listJobs` (what `decomposer jobs list` and the
/// admin API run) over a queue holding N finished jobs (completed, cancelled and failed in the
/// ratio 8:1:1), loaded in bulk by a Lua loop per 10,000 (a fixture, not the queue's scripts).
/// Per status and across all, the mean wall time of a listing of L (default 50) over 200 runs;
/// `jobs_list_cli_equivalent` adds what the command does besides (the queue's clock, the JSON
/// rendering). Its work must not grow with N: the indexes are read with a LIMIT.
func jobListingCase() async throws {
    let total = option("--jobs", 100_000)
    let limit = option("--limit", 50)
    let redis = RedisClient(configuration: requiredRedis(for: "job-listing"))
    defer { redis.shutdown() }
    let keys = QueueKeys(prefix: "{bench-list-\(UUID().uuidString.prefix(6))}")
    let queue = JobQueue(redis: redis, keys: keys, policy: QueuePolicy())
    try await queue.loadScripts()
    let loadStart = ContinuousClock.now
    let batch = 10_000
    for first in stride(from: 0, to: total, by: batch) {
        try await redis.send([
            "EVAL", fixtureLoader, "3", keys.completed, keys.cancelled, keys.dead, keys.prefix, String(first),
            String(min(batch, total - first)), String(Date().millisecondsSince1970),
        ])
    }
    report("job_listing_load_\(total)", (ContinuousClock.now - loadStart) / .milliseconds(1), "ms")
    let runs = 200
    for filter in [JobListFilter.completed, .failed, .cancelled, .queued] {
        let start = ContinuousClock.now
        for _ in 0..<runs { _ = try await queue.listJobs(filter, limit: limit) }
        report("jobs_list_\(filter.rawValue)_\(limit)_of_\(total)", (ContinuousClock.now - start) / .milliseconds(1) / Double(runs), "ms")
    }
    var start = ContinuousClock.now
    for _ in 0..<runs { _ = try await queue.listJobs(nil, limit: limit) }
    report("jobs_list_all_\(limit)_of_\(total)", (ContinuousClock.now - start) / .milliseconds(1) / Double(runs), "ms")
    start = ContinuousClock.now
    for _ in 0..<runs {
        let jobs = try await queue.listJobs(.completed, limit: limit)
        let now = try await queue.now()
        let rows: [[String: Any]] = jobs.map {
            ["id": $0.id.lowercasedString, "status": $0.status.rawValue, "attempts": $0.attempts,
             "age_seconds": Int(now.timeIntervalSince($0.createdAt)), "error_code": $0.errorCode ?? NSNull()]
        }
        _ = try JSONSerialization.data(withJSONObject: rows, options: [.sortedKeys])
    }
    report("jobs_list_cli_equivalent_\(limit)_of_\(total)", (ContinuousClock.now - start) / .milliseconds(1) / Double(runs), "ms")
    try await redis.send(["DEL", keys.completed, keys.cancelled, keys.dead])
    // The job hashes expire by themselves (an hour), as finished jobs do after the retention.
}

/// Creates ARGV[3] finished jobs (numbered from ARGV[2]) under the prefix ARGV[1], finished a
/// millisecond apart before ARGV[4], and indexes them as `finish` does; every tenth is cancelled,
/// every tenth + 1 failed.
private let fixtureLoader = """
    local prefix, first, count, now = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
    for n = first, first + count - 1 do
      local id = string.format('00000000-0000-4000-8000-%012d', n)
      local key = prefix .. ':job:' .. id
      local at = now - 10000000 + n
      local status, index, err = 'completed', KEYS[1], nil
      if n % 10 == 0 then status, index = 'cancelled', KEYS[2] end
      if n % 10 == 1 then
        status, index = 'failed', KEYS[3]
        err = '{"code":"gpu_rate_limited","message":"Quota exceeded"}'
      end
      redis.call('HSET', key, 'id', id, 'file_id', id, 'status', status, 'progress', '100', 'attempts', '1',
        'num_layers', '4', 'resolution', '1024', 'version', '3', 'created_at', at - 5000, 'updated_at', at,
        'message', 'Done')
      if err then redis.call('HSET', key, 'error', err) end
      redis.call('EXPIRE', key, 3600)
      redis.call('ZADD', index, at, id)
    end
    return count
    """
