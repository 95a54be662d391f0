import CurlHTTP
import DecomposerCore
import Foundation
import Logging
import Redis
import Synchronization
import SystemSupport
import TestSupport
import Webhooks

/// A settable clock for the queue's scripts: backoff, leases and the give-up age are tested by
/// moving time, never by sleeping.
final class WebhookTestClock: Sendable {
    private let value = Mutex<Int64>(1_800_000_000_000)
    var now: Int64 { value.withLock { $0 } }
    func advance(by duration: Duration) { value.withLock { $0 += duration.milliseconds } }
    var reading: @Sendable () -> Int64 { { [self] in now } }
}

/// A queue on the shared test Redis under a prefix of its own, on a settable clock, and
/// deliverers over one HTTP client that may reach loopback only.
struct WebhookTestContext {
    static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    /// Retries after 1–2 s of the test clock, a 60 s lease, give up after an hour.
    static let policy = WebhookPolicy(
        lease: .seconds(60), backoffBase: .seconds(2), backoffCap: .seconds(60), giveUpAfter: .seconds(3600),
        pollInterval: .milliseconds(20))

    let redis: RedisClient
    let queue: JobQueue
    let clock = WebhookTestClock()
    let http = CurlHTTPClient()

    init() async throws {
        let server = try await SharedRedis.server()
        redis = server.makeClient()
        queue = JobQueue(
            redis: redis, keys: QueueKeys(prefix: SharedRedis.uniquePrefix("hooks")),
            policy: QueuePolicy(leaseDuration: .seconds(30), maxAttempts: 4), clock: clock.reading)
    }

    /// Loopback only (`WEBHOOK_ALLOW_HTTP`, `WEBHOOK_ALLOWED_HOSTS=127.0.0.1`), no lookups at all.
    func deliverer(queue: JobQueue? = nil, metrics: WebhookMetrics = WebhookMetrics()) -> WebhookDeliverer {
        WebhookDeliverer(
            queue: queue ?? self.queue, http: http, signer: WebhookSigner(secret: Self.secret)!,
            targets: WebhookTargetPolicy(allowHTTP: true, allowedHosts: ["127.0.0.1"]),
            resolver: WebhookResolver { host in throw WebhookTargetRefusal("the test resolves nothing (\(host))") },
            policy: Self.policy, metrics: metrics, logger: Logger(label: "webhooks-test"), random: { 0.5 })
    }

    /// The same queue through another Redis client, as another worker process has it.
    func otherProcessQueue() -> JobQueue {
        JobQueue(redis: RedisClient(configuration: redis.configuration), keys: queue.keys, policy: queue.policy,
                 clock: clock.reading)
    }

    /// A job asking for `events` at `url`, claimed (processing) when `claim`.
    func job(_ url: String, events: [WebhookEvent] = WebhookEvent.defaults) async throws -> UUID {
        try await queue.enqueue(JobRequest(fileID: UUID(), webhook: JobWebhook(url: url, events: events))).jobID
    }

    /// Claims the next queued job and completes it with one layer.
    func runNextJob(progressTicks: Int = 2) async throws -> UUID? {
        guard case .claimed(let lease) = try await queue.claim(progress: 10, message: "Preparing image") else { return nil }
        for tick in 0..<progressTicks {
            try await queue.reportProgress(lease, progress: 20 + tick * 10, message: "Running")
        }
        let layer = LayerResult(
            index: 0, filename: "layer_0.png", url: "/results/\(lease.job.id.lowercasedString)/layer_0.png", sizeKB: 1,
            width: 8, height: 8)
        try await queue.complete(lease, layers: [layer])
        return lease.job.id
    }

    func shutdown() {
        http.shutdown()
        redis.shutdown()
    }
}

/// A receiver that answers from a list of replies in turn (the last one for every later request)
/// and keeps each request it got.
final class WebhookReceiver: Sendable {
    private final class Received: Sendable {
        let requests = Mutex<[TestHTTPServer.Request]>([])
    }

    private let received = Received()
    let server: TestHTTPServer

    init(_ replies: [TestHTTPServer.Reply] = [.respond(status: 204)]) throws {
        let received = self.received
        server = try TestHTTPServer { request in
            let count = received.requests.withLock {
                $0.append(request)
                return $0.count
            }
            return replies[min(count, replies.count) - 1]
        }
    }

    var url: String { server.baseURL + "/hooks/decomposer" }
    var requests: [TestHTTPServer.Request] { received.requests.withLock { $0 } }

    /// `(job_id, status)` of each body received, in order.
    var events: [(String, String)] {
        requests.compactMap {
            guard let body = (try? JSONSerialization.jsonObject(with: Data($0.body))) as? [String: Any],
                let job = body["job_id"] as? String, let status = body["status"] as? String
            else { return nil }
            return (job, status)
        }
    }

    func stop() { server.stop() }
}
