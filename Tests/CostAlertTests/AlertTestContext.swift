import CostAlerts
import CostTracker
import CurlHTTP
import DecomposerCore
import Foundation
import Logging
import Redis
import Synchronization
import SystemSupport
import TestSupport

/// A settable clock for the queue's scripts: backoff, leases and the give-up age are tested by
/// moving time, never by sleeping.
final class AlertTestClock: Sendable {
    private let value = Mutex<Int64>(1_800_000_000_000)  // 2027-01-15T08:00:00Z
    var now: Int64 { value.withLock { $0 } }
    func advance(by duration: Duration) { value.withLock { $0 += duration.milliseconds } }
    var reading: @Sendable () -> Int64 { { [self] in now } }
}

/// Log lines a deliverer wrote, to check what reaches the logs (never a webhook's secret path).
final class CapturedLog: Sendable {
    private let lines = Mutex<[String]>([])
    var all: [String] { lines.withLock { $0 } }

    var logger: Logger {
        Logger(label: "cost-alerts-test") { _ in CapturingHandler(log: self) }
    }

    fileprivate func append(_ line: String) { lines.withLock { $0.append(line) } }
}

private struct CapturingHandler: LogHandler {
    let log: CapturedLog
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        log.append("\(event.level) \(event.message)")
    }
}

/// A queue on the shared test Redis under a prefix of its own, on a settable clock, with cost
/// trackers (1 µ$ per GPU millisecond) and deliverers over one HTTP client.
struct AlertTestContext {
    let redis: RedisClient
    let queue: JobQueue
    let clock = AlertTestClock()
    let http = CurlHTTPClient()
    let log = CapturedLog()

    /// A short policy: retries after 1–2 s of the test clock, give up after an hour.
    static let policy = CostAlertPolicy(
        lease: .seconds(60), backoffBase: .seconds(2), backoffCap: .seconds(60), giveUpAfter: .seconds(3600),
        pollInterval: .milliseconds(20))

    init() async throws {
        let server = try await SharedRedis.server()
        redis = server.makeClient()
        queue = JobQueue(
            redis: redis, keys: QueueKeys(prefix: SharedRedis.uniquePrefix("alerts")),
            policy: QueuePolicy(leaseDuration: .seconds(30), maxAttempts: 4), clock: clock.reading)
    }

    /// The same queue through another Redis client, as another worker process has it.
    func otherProcessQueue() -> JobQueue {
        JobQueue(redis: RedisClient(configuration: redis.configuration), keys: queue.keys, policy: queue.policy,
                 clock: clock.reading)
    }

    /// A tracker billing 1 µ$ per GPU millisecond against `budgetUSD`.
    func tracker(budgetUSD: Double = 1, thresholds: [Double] = CostAlertSettings.defaultThresholds, queue: JobQueue? = nil)
        -> CostTracker
    {
        CostTracker(queue: queue ?? self.queue, rate: GPURate(usdPerHour: 3.6), dailyBudgetUSD: budgetUSD, alertThresholds: thresholds)
    }

    func deliverer(
        _ url: String, format: CostAlertFormat = .json, policy: CostAlertPolicy = policy,
        metrics: CostAlertMetrics = CostAlertMetrics()
    ) -> CostAlertDeliverer {
        CostAlertDeliverer(
            queue: queue, http: http, url: URL(string: url)!, format: format, policy: policy, metrics: metrics,
            logger: log.logger, random: { 0.5 })
    }

    /// Today on the test clock.
    var day: String { UTCDay.key(for: Date(millisecondsSince1970: clock.now)) }

    func shutdown() {
        http.shutdown()
        redis.shutdown()
    }
}

/// A receiver that answers from a list of replies in turn (the last one for every later
/// request) and keeps each request it got.
final class AlertReceiver: Sendable {
    private final class Received: Sendable {
        let requests = Mutex<[TestHTTPServer.Request]>([])
    }

    private let received: Received
    let server: TestHTTPServer

    init(_ replies: [TestHTTPServer.Reply] = [.respond(status: 204)]) throws {
        let received = Received()
        self.received = received
        server = try TestHTTPServer { request in
            let count = received.requests.withLock {
                $0.append(request)
                return $0.count
            }
            return replies[min(count, replies.count) - 1]
        }
    }

    var url: String { server.baseURL + "/hooks/cost" }
    var requests: [TestHTTPServer.Request] { received.requests.withLock { $0 } }

    /// Each request's body as a JSON object.
    var bodies: [[String: Any]] {
        requests.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.body))) as? [String: Any] }
    }

    /// The `threshold` of each JSON body received, in order.
    var thresholds: [Double] { bodies.compactMap { $0["threshold"] as? Double } }
}
