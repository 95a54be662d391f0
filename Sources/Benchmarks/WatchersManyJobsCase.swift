import CurlHTTP
import DecomposerCore
import Foundation
import Redis
import Synchronization

/// `watchers-jobs --api URL --jobs N --seconds S [--api-pid PID]`: the realistic shape of the
/// watch traffic — N running jobs with one WebSocket watcher each, every job updated once a
/// second through the queue's own progress path (`JobQueue.reportProgress`, as a worker does:
/// N messages/s through Redis pub/sub), spread evenly over the second, for S seconds. Prints the
/// delay from each write to its arrival (p50, p99), deliveries (every version of every job is
/// expected; a missing or repeated one is counted), what the API says it wrote
/// (`/metrics`), and the client's peak RSS. With `--api-pid`, the API's RSS with no watcher and
/// with the N watchers connected and idle (before the first update), and their cost per watcher.
/// With `--seconds 0` only the idle figures. Needs REDIS_URL (and REDIS_KEY_PREFIX if the API
/// uses another) to reach the same queue.
func watchersManyJobsCase() async throws {
    let jobCount = option("--jobs", 10_000)
    let seconds = option("--seconds", 10)
    let apiPID = option("--api-pid", 0)
    guard let index = arguments.firstIndex(of: "--api"), index + 1 < arguments.count else {
        print("watchers-jobs needs --api URL")
        exit(2)
    }
    let api = arguments[index + 1]
    let redisConfiguration = requiredRedis(for: "watchers-jobs")
    logErrorsOnly()
    let redis = RedisClient(configuration: redisConfiguration)
    let prefix = ProcessInfo.processInfo.environment["REDIS_KEY_PREFIX"] ?? "{decomposer}"
    // Leases long enough for the run: the API's maintenance must not take the jobs back.
    let queue = JobQueue(
        redis: redis, keys: QueueKeys(prefix: prefix),
        policy: QueuePolicy(leaseDuration: .seconds(3600), maxQueueDepth: 100_000_000))
    try await queue.loadScripts()

    // N jobs, queued and claimed as a worker fleet would (64 at a time).
    let request = JobRequest(fileID: UUID(), numLayers: 5, resolution: 1024)
    let leases = try await inParallel(count: jobCount, width: 64) { _ -> JobLease in
        _ = try await queue.enqueue(request)
        guard case .claimed(let lease) = try await queue.claim(progress: 10, message: "Preparing image") else {
            print("no job to claim (is a worker running on this queue?)")
            exit(1)
        }
        return lease
    }
    let rssBefore = apiPID > 0 ? residentKiB(of: apiPID) : 0
    let http = CurlHTTPClient()
    defer { http.shutdown() }
    let writtenBefore = await serverMessagesWritten(api, http)

    let steps = seconds
    let sent = SampleGrid(jobs: jobCount, steps: steps)
    let arrived = SampleGrid(jobs: jobCount, steps: steps)
    let counts = WatcherCounts()
    // Watcher i watches job i, on the client's one thread (BenchWebSocketClient): no task per connection.
    let sink = JobWatcherSink(bases: leases.map(\.job.version), steps: steps, arrived: arrived, counts: counts)
    let client = BenchWebSocketClient(api: api, sink: sink)
    let paths = leases.map { "/ws/status/" + $0.job.id.lowercasedString }
    let watchers = Task { await client.connect(paths: paths) }
    let connectStart = ContinuousClock.now
    while counts.connected.load(ordering: .relaxed) < jobCount, ContinuousClock.now - connectStart < .seconds(180) {
        try await Task.sleep(for: .milliseconds(50))
    }
    let ready = counts.connected.load(ordering: .relaxed)
    report("watchers_jobs_connected", Double(ready), "watchers")
    report("watchers_jobs_connect_time", (ContinuousClock.now - connectStart) / .seconds(1), "s")
    if apiPID > 0 {
        // Idle: every watcher has its snapshot and nothing changes yet.
        try await Task.sleep(for: .seconds(2))
        let idle = residentKiB(of: apiPID)
        report("watchers_idle_\(jobCount)_api_rss", Double(idle) / 1024, "MiB")
        report("watchers_idle_0_api_rss", Double(rssBefore) / 1024, "MiB")
        report("watcher_idle_cost_kib", Double(idle - rssBefore) / Double(max(ready, 1)), "KiB")
    }

    if steps > 0 {
        // The fleet's progress reports: job i at i/N of every second, from 64 tasks.
        let cpuBefore = cpuMilliseconds()
        let loopCPUBefore = BenchWebSocketClient.receivingCPUMilliseconds()
        let apiCPUBefore = processCPUMilliseconds(of: apiPID)
        let start = ContinuousClock.now + .milliseconds(100)
        let spacing = Duration.seconds(1) / jobCount
        let lanes = 64
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lane in 0..<lanes {
                group.addTask {
                    for step in 0..<steps {
                        for job in stride(from: lane, to: jobCount, by: lanes) {
                            let due = start + .seconds(step) + spacing * job
                            if due > .now { try await Task.sleep(until: due, tolerance: .milliseconds(1)) }
                            _ = sent.record(job: job, step: step, at: .now)
                            try await queue.reportProgress(leases[job], progress: 30 + step % 49, message: "Running on GPU (\(step) s)")
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let expected = ready * steps
        let settle = ContinuousClock.now
        while arrived.count < expected, ContinuousClock.now - settle < .seconds(30) {
            try await Task.sleep(for: .milliseconds(100))
        }
        // The client's own cost: this process's CPU over the updates and their arrivals, per
        // message received; it includes the progress writes (one per message) through Redis.
        let cpuSpent = cpuMilliseconds() - cpuBefore
        let loopCPUSpent = BenchWebSocketClient.receivingCPUMilliseconds() - loopCPUBefore
        let apiCPUSpent = apiPID > 0 ? processCPUMilliseconds(of: apiPID) - apiCPUBefore : nil
        let messages = arrived.count + counts.unexpected.load(ordering: .relaxed)
        let latencies = arrived.delays(since: sent)
        report("watchers_jobs_deliveries", Double(latencies.count), "of \(expected)")
        report("watchers_jobs_unexpected", Double(counts.unexpected.load(ordering: .relaxed)), "messages")
        if let written = await serverMessagesWritten(api, http), let writtenBefore {
            // Every update of a connected watcher's job, as the server counts what it wrote.
            report("watchers_jobs_server_written", written - writtenBefore - Double(ready), "of \(expected)")
        }
        reportWatcherFigures(
            "watchers_jobs", delays: latencies, cpu: cpuSpent, loopCPU: loopCPUSpent, apiCPU: apiCPUSpent, messages: messages)
    }
    report("watchers_jobs_client_peak_rss", peakRSSMiB(), "MiB")
    client.reportServerCloses(as: "watchers_jobs_server_closes")
    watchers.cancel()
    await client.closeAll()
    redis.shutdown()
}

/// How many watchers have their snapshot, and messages that were no expected version.
final class WatcherCounts: Sendable {
    let connected = Atomic<Int>(0)
    let unexpected = Atomic<Int>(0)
}

/// The realistic shape's watchers: connection i watches job i, whose version before the first
/// update is `bases[i]`; update `step` makes version `bases[i] + 1 + step`.
final class JobWatcherSink: WatcherSink {
    private let bases: [Int]
    private let steps: Int
    private let arrived: SampleGrid
    private let counts: WatcherCounts

    init(bases: [Int], steps: Int, arrived: SampleGrid, counts: WatcherCounts) {
        self.bases = bases
        self.steps = steps
        self.arrived = arrived
        self.counts = counts
    }

    func snapshot(connection: Int) {
        counts.connected.add(1, ordering: .relaxed)
    }

    func update(connection: Int, version: Int, at arrival: ContinuousClock.Instant) {
        let step = version - bases[connection] - 1
        if !(0..<steps).contains(step) || !arrived.record(job: connection, step: step, at: arrival) {
            counts.unexpected.add(1, ordering: .relaxed)
        }
    }
}

/// One instant per (job, step), kept as nanoseconds since a common origin. An empty slot is
/// `Int64.min`, not any negative number: the origin is set on first use, after the first instant
/// was taken, so the first sample is a few nanoseconds before it (as -1 for empty, that one
/// sample was dropped: every run reported 99,999 of 100,000 deliveries).
final class SampleGrid: Sendable {
    private static let empty = Int64.min
    private let steps: Int
    private let instants: Mutex<[Int64]>
    private let filled = Atomic<Int>(0)
    private static let origin = ContinuousClock.now

    init(jobs: Int, steps: Int) {
        self.steps = steps
        instants = Mutex([Int64](repeating: Self.empty, count: jobs * steps))
    }

    /// False when this slot was already set (a repeated delivery).
    func record(job: Int, step: Int, at instant: ContinuousClock.Instant) -> Bool {
        let nanos = Int64((instant - Self.origin) / .nanoseconds(1))
        let fresh = instants.withLock { values in
            guard values[job * steps + step] == Self.empty else { return false }
            values[job * steps + step] = nanos
            return true
        }
        if fresh { filled.add(1, ordering: .relaxed) }
        return fresh
    }

    var count: Int { filled.load(ordering: .relaxed) }

    /// The delay of every filled slot from the same slot of `starts`, in ms.
    func delays(since starts: SampleGrid) -> [Double] {
        let ends = instants.withLock { $0 }
        let begins = starts.instants.withLock { $0 }
        return zip(begins, ends).compactMap { begin, end in begin != Self.empty && end != Self.empty ? Double(end - begin) / 1e6 : nil }
    }
}

/// `decomposer_api_websocket_messages_total` from the API's `/metrics`, nil when absent.
func serverMessagesWritten(_ api: String, _ http: CurlHTTPClient) async -> Double? {
    guard let response = try? await http.send(HTTPRequest(method: "GET", url: api + "/metrics")) else { return nil }
    let line = String(decoding: response.body, as: UTF8.self).split(separator: "\n")
        .first { $0.hasPrefix("decomposer_api_websocket_messages_total") }
    return line.flatMap { $0.split(separator: " ").last }.flatMap { Double($0) }
}

/// VmRSS of another process, in KiB.
func residentKiB(of pid: Int) -> Int {
    let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
    return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
}

/// Runs `body` for 0..<count from `width` tasks at a time; results in index order.
func inParallel<T: Sendable>(count: Int, width: Int, _ body: @escaping @Sendable (Int) async throws -> T) async throws -> [T] {
    try await withThrowingTaskGroup(of: (Int, T).self) { group in
        var results = [T?](repeating: nil, count: count)
        var next = 0
        while next < min(width, count) {
            let index = next
            group.addTask { (index, try await body(index)) }
            next += 1
        }
        while let (index, value) = try await group.next() {
            results[index] = value
            if next < count {
                let index = next
                group.addTask { (index, try await body(index)) }
                next += 1
            }
        }
        return results.map { $0! }
    }
}
