import CurlHTTP
import DecomposerCore
import Foundation
import Logging
import SystemSupport

/// Delivers the cost alerts the queue decided (the outbox the `record-attempt` script appends to):
/// claims one due alert at a time for a lease, so several processes delivering still POST each
/// alert once in the normal case; POSTs it; then removes it (delivered, or refused for good) or
/// has it retried after a backoff on Redis's clock, until the give-up age. Never on a job's path:
/// a cost record only appends to the outbox.
public struct CostAlertDeliverer: Sendable {
    /// What became of one claimed alert.
    public enum Outcome: Sendable, Equatable {
        /// The receiver answered 2xx; removed from the outbox.
        case delivered
        /// Due again after this long.
        case retrying(after: Duration, reason: String)
        /// Dropped: refused for good by the receiver, or undelivered for `giveUpAfter`.
        case gaveUp(reason: String)
        /// This deliverer's lease ended during the POST and another one holds the alert now.
        case lost
    }

    /// One look at the outbox.
    public enum Step: Sendable, Equatable {
        case attempted(CostAlert, Outcome)
        /// Nothing due; the next alert falls due after this long (nil: none waits).
        case idle(nextIn: Duration?)
    }

    public let queue: JobQueue
    let http: CurlHTTPClient
    let url: URL
    let format: CostAlertFormat
    public let policy: CostAlertPolicy
    public let metrics: CostAlertMetrics
    let logger: Logger
    let random: @Sendable () -> Double

    /// - Parameter random: the backoff's jitter source (0..<1); tests fix it.
    public init(
        queue: JobQueue, http: CurlHTTPClient, url: URL, format: CostAlertFormat, policy: CostAlertPolicy = CostAlertPolicy(),
        metrics: CostAlertMetrics = CostAlertMetrics(), logger: Logger,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.queue = queue
        self.http = http
        self.url = url
        self.format = format
        self.policy = policy
        self.metrics = metrics
        self.logger = logger
        self.random = random
    }

    /// The receiver as it may be logged: scheme and host only (a webhook URL's path is its secret).
    public var receiver: String { CostAlertSettings.redacted(url) }

    /// Claims the next due alert, if any, and delivers it.
    public func deliverNext() async throws(QueueError) -> Step {
        switch try await queue.claimCostAlert(lease: policy.lease, token: UUID().lowercasedString) {
        case .nothingDue(let next): return .idle(nextIn: next)
        case .claimed(let alert): return .attempted(alert, try await deliver(alert))
        }
    }

    /// Delivers every alert due now (at most `limit`), in order; what became of each.
    public func deliverDue(limit: Int = 100) async throws(QueueError) -> [Step] {
        var steps: [Step] = []
        while steps.count < limit, case .attempted(let alert, let outcome) = try await deliverNext() {
            steps.append(.attempted(alert, outcome))
        }
        return steps
    }

    private func deliver(_ alert: CostAlert) async throws(QueueError) -> Outcome {
        let request = HTTPRequest(
            method: "POST", url: url.absoluteString,
            headers: [("Content-Type", "application/json"), ("User-Agent", "decomposer-cost-alerts")],
            body: CostAlertBody.render(alert, format: format), timeout: policy.timeout,
            connectTimeout: policy.connectTimeout, maxResponseBytes: 1 << 20)
        let result: Result<HTTPResponse, HTTPTransportError>
        do {
            result = .success(try await http.send(request))
        } catch {
            result = .failure(error)
        }
        if case .failure(.cancelled) = result {
            // Shutting down mid-POST: due again at once for whichever process delivers next.
            _ = try await queue.retryCostAlert(alert, after: .zero, giveUpAfter: policy.giveUpAfter)
            return .retrying(after: .zero, reason: "cancelled")
        }
        let name = "Cost alert \(alert.id) to \(receiver)"
        switch WebhookVerdict(result, now: Date()) {
        case .delivered:
            try await queue.finishCostAlert(alert.id)
            metrics.delivered.increment()
            logger.info("\(name) delivered (attempt \(alert.attempts))")
            return .delivered
        case .refused(let reason):
            try await queue.finishCostAlert(alert.id)
            metrics.gaveUp.increment()
            logger.error("\(name) refused by the receiver (\(reason)); not retried")
            return .gaveUp(reason: reason)
        case .retry(let reason, let retryAfter):
            metrics.failed.increment()
            let delay = policy.delay(afterAttempt: alert.attempts, random: random(), retryAfter: retryAfter)
            switch try await queue.retryCostAlert(alert, after: delay, giveUpAfter: policy.giveUpAfter) {
            case .scheduled(let after):
                logger.warning("\(name) not delivered (\(reason)); retrying in \(after) (attempt \(alert.attempts))")
                return .retrying(after: after, reason: reason)
            case .gaveUp(let age):
                metrics.gaveUp.increment()
                logger.error(
                    "\(name) given up: not delivered \(age) after it was raised, \(alert.attempts) attempts (last: \(reason))")
                return .gaveUp(reason: reason)
            case .lost:
                return .lost
            }
        }
    }
}

extension CostAlertDeliverer: OutboxDeliverer {
    public var pollInterval: Duration { policy.pollInterval }

    public func deliverOne() async throws -> Duration?? {
        switch try await deliverNext() {
        case .attempted: nil
        case .idle(let next): .some(next)
        }
    }
}
