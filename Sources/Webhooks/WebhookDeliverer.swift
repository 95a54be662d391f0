import CurlHTTP
import DecomposerCore
import Foundation
import Logging
import SystemSupport

/// Delivers jobs' webhook events (the outbox `emit` appends to): claims the oldest pending event of
/// the next due job for a lease, checks its receiver's resolved address, POSTs the job JSON as it
/// was at that event (`JobRepresentation`, the API's renderer) signed the Standard Webhooks way to
/// exactly that address (`CURLOPT_CONNECT_TO`), then settles it: delivered (2xx), stopped (410: nothing more for that
/// job) or retried after a backoff until `WEBHOOK_RETRY_HOURS`. Never on a job's path: a job's
/// change only appends to the outbox.
public struct WebhookDeliverer: Sendable {
    /// One look at the queue.
    public enum Step: Sendable, Equatable {
        case attempted(WebhookDelivery, WebhookSettlement)
        /// Nothing due; the next job falls due after this long (nil: none waits).
        case idle(nextIn: Duration?)
    }

    public let queue: JobQueue
    let http: CurlHTTPClient
    let signer: WebhookSigner
    let targets: WebhookTargetPolicy
    let resolver: WebhookResolver
    public let policy: WebhookPolicy
    public let metrics: WebhookMetrics
    let logger: Logger
    let random: @Sendable () -> Double

    public init(
        queue: JobQueue, http: CurlHTTPClient, signer: WebhookSigner, targets: WebhookTargetPolicy,
        resolver: WebhookResolver = .system, policy: WebhookPolicy = WebhookPolicy(), metrics: WebhookMetrics = WebhookMetrics(),
        logger: Logger, random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.queue = queue
        self.http = http
        self.signer = signer
        self.targets = targets
        self.resolver = resolver
        self.policy = policy
        self.metrics = metrics
        self.logger = logger
        self.random = random
    }

    /// Claims the next due event, if any, and delivers it.
    public func deliverNext() async throws(QueueError) -> Step {
        switch try await queue.claimWebhook(lease: policy.lease, token: UUID().lowercasedString) {
        case .nothingDue(let next): return .idle(nextIn: next)
        case .claimed(let delivery): return .attempted(delivery, try await deliver(delivery))
        }
    }

    /// Delivers every event due now (at most `limit`), in order; what became of each.
    public func deliverDue(limit: Int = 100) async throws(QueueError) -> [Step] {
        var steps: [Step] = []
        while steps.count < limit, case .attempted(let delivery, let settlement) = try await deliverNext() {
            steps.append(.attempted(delivery, settlement))
        }
        return steps
    }

    /// The request one try sends, `timestamp` in Unix seconds; nil when the payload is not a job.
    public func request(for delivery: WebhookDelivery, pinned: WebhookAddress?, timestamp: Int64) -> HTTPRequest? {
        guard let job = Job(eventPayload: delivery.payload) else { return nil }
        let body = JobRepresentation(job: job).bytes
        var request = HTTPRequest(
            method: "POST", url: delivery.url,
            headers: [
                ("Content-Type", "application/json"), ("User-Agent", "decomposer-webhooks"),
                ("webhook-id", delivery.messageID), ("webhook-timestamp", String(timestamp)),
                ("webhook-signature", signer.signature(id: delivery.messageID, timestamp: timestamp, body: body)),
            ],
            body: body, timeout: policy.timeout, connectTimeout: policy.connectTimeout,
            maxResponseBytes: policy.maxResponseBytes)
        request.truncatesResponse = true
        if let pinned, let target = try? targets.check(delivery.url) {
            // Any host: should libcurl read another host in the URL than the check did, it still
            // connects only to the address checked.
            request.connectTo = ["::\(pinned):\(target.port)"]
        }
        return request
    }

    private func deliver(_ delivery: WebhookDelivery) async throws(QueueError) -> WebhookSettlement {
        let name = "Webhook \(delivery.event) of job \(delivery.jobID.lowercasedString) (v\(delivery.version))"
        let pinned: WebhookAddress
        do {
            pinned = try await targets.pin(try targets.check(delivery.url), resolver: resolver)
        } catch {
            // Accepted at submit, refused now (its name resolves elsewhere, or the rules changed):
            // retried, as the name may resolve to a public address again before the give-up age.
            return try await retry(delivery, name: name, reason: "refused target: \(error)")
        }
        let now = Int64(Date().timeIntervalSince1970)
        guard let request = request(for: delivery, pinned: pinned, timestamp: now) else {
            return try await retry(delivery, name: name, reason: "unreadable job payload", giveUp: true)
        }
        let result: Result<HTTPResponse, HTTPTransportError>
        do {
            result = .success(try await http.send(request))
        } catch {
            result = .failure(error)
        }
        switch result {
        case .failure(.cancelled):
            // Shutting down mid-POST: due again at once for whichever process delivers next.
            return try await queue.retryWebhook(delivery, after: .zero, giveUpAfter: policy.giveUpAfter, reason: "cancelled")
        case .success(let response) where (200...299).contains(response.status):
            let settlement = try await queue.finishWebhook(delivery, gone: false, result: "HTTP \(response.status)")
            if settlement == .delivered {
                metrics.delivered.increment()
                logger.info("\(name) delivered (attempt \(delivery.attempts))")
            }
            return settlement
        case .success(let response) where response.status == 410:
            let settlement = try await queue.finishWebhook(delivery, gone: true, result: "HTTP 410")
            if case .stopped(let dropped) = settlement {
                metrics.stopped.increment()
                logger.notice("\(name): the receiver answered 410 Gone; \(dropped) pending events dropped, no more for this job")
            }
            return settlement
        case .success(let response):
            return try await retry(delivery, name: name, reason: "HTTP \(response.status)")
        case .failure(let error):
            return try await retry(delivery, name: name, reason: error.description)
        }
    }

    private func retry(_ delivery: WebhookDelivery, name: String, reason: String, giveUp: Bool = false)
        async throws(QueueError) -> WebhookSettlement
    {
        let delay = policy.backoff(afterAttempt: delivery.attempts, random: random())
        let settlement = try await queue.retryWebhook(
            delivery, after: delay, giveUpAfter: giveUp ? .zero : policy.giveUpAfter, reason: reason)
        switch settlement {
        case .scheduled(let after):
            metrics.retried.increment()
            logger.warning("\(name) not delivered (\(reason)); retrying in \(after) (attempt \(delivery.attempts))")
        case .gaveUp(let age):
            metrics.gaveUp.increment()
            logger.error("\(name) given up after \(age) and \(delivery.attempts) attempts (last: \(reason))")
        default:
            break
        }
        return settlement
    }
}

extension WebhookDeliverer: OutboxDeliverer {
    public var pollInterval: Duration { policy.pollInterval }

    public func deliverOne() async throws -> Duration?? {
        switch try await deliverNext() {
        case .attempted: nil
        case .idle(let next): .some(next)
        }
    }
}
