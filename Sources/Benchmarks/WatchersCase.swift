import CurlHTTP
import DecomposerCore
import Foundation
import ImageCodec
import Redis
import Synchronization

/// `watchers --api URL --watchers N --updates K [--interval-ms T] [--api-pid PID]`: N WebSocket
/// watchers of one job on a running API; the job is then moved K times, T ms
/// apart (default 100), through the real queue (as a worker would), and each update's delay from its Redis write to its
/// arrival at every watcher is measured; with `--api-pid`, the API's CPU per message too. Needs REDIS_URL (and REDIS_KEY_PREFIX
/// if the API uses another) to reach the same queue.
func watchersCase() async throws {
    let watcherCount = option("--watchers", 1000)
    let updates = option("--updates", 50)
    let apiPID = option("--api-pid", 0)
    let interval = Duration.milliseconds(option("--interval-ms", 100))
    guard let index = arguments.firstIndex(of: "--api"), index + 1 < arguments.count else {
        print("watchers needs --api URL")
        exit(2)
    }
    let redisConfiguration = requiredRedis(for: "watchers")
    logErrorsOnly()
    let api = arguments[index + 1]
    let redis = RedisClient(configuration: redisConfiguration)
    let prefix = ProcessInfo.processInfo.environment["REDIS_KEY_PREFIX"] ?? "{decomposer}"
    let queue = JobQueue(redis: redis, keys: QueueKeys(prefix: prefix), policy: QueuePolicy(maxQueueDepth: 10_000_000))
    let http = CurlHTTPClient()

    // A job of its own: upload a small poster, queue it, and make sure it is the one we claim.
    let png = try ImageEncoder.png(poster(width: 64, height: 64, alpha: false))
    let boundary = "bench-boundary"
    let body = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.png\"\r\n\r\n".utf8) + png
        + Array("\r\n--\(boundary)--\r\n".utf8)
    let upload = try await http.send(HTTPRequest(
        method: "POST", url: api + "/api/upload", headers: [(name: "Content-Type", value: "multipart/form-data; boundary=\(boundary)")],
        body: body))
    let fileID = (try JSONSerialization.jsonObject(with: Data(upload.body)) as? [String: Any])?["file_id"] as? String ?? ""
    let queued = try await http.send(HTTPRequest(
        method: "POST", url: api + "/api/decompose", headers: [(name: "Content-Type", value: "application/json")],
        body: Array(#"{"file_id":"\#(fileID)"}"#.utf8)))
    let jobID = (try JSONSerialization.jsonObject(with: Data(queued.body)) as? [String: Any])?["job_id"] as? String ?? ""

    let writtenBefore = await serverMessagesWritten(api, http)
    let tally = WatcherTally()
    // Every watcher on the client's one thread (BenchWebSocketClient): no task per connection.
    let client = BenchWebSocketClient(api: api, sink: tally)
    let paths = [String](repeating: "/ws/status/\(jobID)", count: watcherCount)
    let watchers = Task { await client.connect(paths: paths) }
    let connectStart = ContinuousClock.now
    while tally.connected.load(ordering: .relaxed) < watcherCount, ContinuousClock.now - connectStart < .seconds(120) {
        try await Task.sleep(for: .milliseconds(50))
    }
    let ready = tally.connected.load(ordering: .relaxed)
    report("watchers_connected", Double(ready), "watchers")
    report("watchers_connect_time", (ContinuousClock.now - connectStart) / .seconds(1), "s")

    // Drive the job like a worker: each write's instant, keyed by the version it creates.
    guard case .claimed(let lease) = try await queue.claim(progress: 10, message: "Preparing image") else {
        print("no job to claim (is another worker running?)")
        exit(1)
    }
    let cpuBefore = cpuMilliseconds()
    let loopCPUBefore = BenchWebSocketClient.receivingCPUMilliseconds()
    let apiCPUBefore = processCPUMilliseconds(of: apiPID)
    let arrivedBefore = tally.arrivals.withLock { $0.values.reduce(0) { $0 + $1.count } }
    var sent: [Int: ContinuousClock.Instant] = [:]
    for step in 0..<updates {
        let started = ContinuousClock.now
        try await queue.reportProgress(lease, progress: 30 + step % 49, message: "Running on GPU (\(step) s)")
        sent[lease.job.version + 1 + step] = started
        try await Task.sleep(for: interval)
    }
    try await queue.complete(lease, layers: [])
    let completion = lease.job.version + 1 + updates
    let settle = ContinuousClock.now
    while watchers.isCancelled == false, ContinuousClock.now - settle < .seconds(30) {
        // Every update at every watcher. (This once counted every arrival — the claim's version
        // too — against updates + 1 per watcher, so it stopped one message per watcher early and,
        // with the client seconds behind at 10,000 watchers, reported ~1 % of deliveries missing
        // that the server had written: the API's own count, below, shows it.) And the completion
        // too, which that count subtracts: read before it was written, it came out short.
        let (received, completed) = tally.arrivals.withLock { arrivals in
            (sent.keys.reduce(0) { $0 + (arrivals[$1]?.count ?? 0) }, arrivals[completion]?.count ?? 0)
        }
        if received >= ready * updates, completed >= ready { break }
        try await Task.sleep(for: .milliseconds(100))
    }
    // The client's own cost: this process's CPU from the first update to the last arrival, per
    // message received (its 50-odd Redis writes are noise against N × updates messages).
    let cpuSpent = cpuMilliseconds() - cpuBefore
    let loopCPUSpent = BenchWebSocketClient.receivingCPUMilliseconds() - loopCPUBefore
    let apiCPUSpent = apiPID > 0 ? processCPUMilliseconds(of: apiPID) - apiCPUBefore : nil
    let arrivedDuring = tally.arrivals.withLock { $0.values.reduce(0) { $0 + $1.count } } - arrivedBefore
    let delays: [Duration] = tally.arrivals.withLock { arrivals in
        sent.flatMap { version, start -> [Duration] in (arrivals[version] ?? []).map { $0 - start } }
    }
    let latencies = delays.map { $0 / .milliseconds(1) }
    let expected = ready * updates
    report("watchers_deliveries", Double(latencies.count), "of \(expected)")
    if let written = await serverMessagesWritten(api, http), let writtenBefore {
        // What the server wrote of those updates: all it wrote, less each watcher's snapshot, claim and completion.
        report("watchers_server_written", written - writtenBefore - Double(3 * ready), "of \(expected)")
    }
    reportWatcherFigures(
        "watchers", delays: latencies, cpu: cpuSpent, loopCPU: loopCPUSpent, apiCPU: apiCPUSpent, messages: arrivedDuring)
    report("watchers_client_peak_rss", peakRSSMiB(), "MiB")
    client.reportServerCloses(as: "watchers_server_closes")
    watchers.cancel()
    await client.closeAll()
    http.shutdown()
    redis.shutdown()
}

/// What the watchers saw: how many connected, and when each version arrived.
final class WatcherTally: WatcherSink {
    let connected = Atomic<Int>(0)
    let arrivals = Mutex<[Int: [ContinuousClock.Instant]]>([:])

    func snapshot(connection: Int) {
        connected.add(1, ordering: .relaxed)
    }

    func update(connection: Int, version: Int, at arrival: ContinuousClock.Instant) {
        arrivals.withLock { $0[version, default: []].append(arrival) }
    }
}
