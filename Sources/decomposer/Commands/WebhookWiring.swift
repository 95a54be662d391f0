import CurlHTTP
import DecomposerCore
import Logging
import OperationalRoutes
import Webhooks

extension ServiceEnvironment {
    /// With `WEBHOOK_SECRET` set, the service that delivers jobs' webhook events, run by every
    /// worker and every API process (like the cost alerts: workers scale to zero once the queue is
    /// empty, and an event's retries must go on): events are claimed per job with a lease, so each
    /// is POSTed once in the normal case and in order, and a process killed mid-delivery leaves its
    /// event to the next one.
    func webhookDelivery(http: CurlHTTPClient) -> OutboxDeliveryService<WebhookDeliverer>? {
        let settings = configuration.webhooks
        guard let secret = settings.secret, let signer = WebhookSigner(secret: secret) else { return nil }
        let logger = Logger(label: "webhooks")
        let deliverer = WebhookDeliverer(
            queue: queue, http: http, signer: signer, targets: WebhookTargetPolicy(settings),
            policy: WebhookPolicy(
                connectTimeout: min(.seconds(5), settings.timeout), timeout: settings.timeout, lease: settings.timeout + .seconds(5),
                giveUpAfter: settings.giveUpAfter),
            logger: logger)
        let hosts = settings.allowedHosts.isEmpty ? "any public host" : settings.allowedHosts.joined(separator: ", ")
        self.logger.info(
            "Webhooks delivered to \(hosts)\(settings.allowHTTP ? " (plain http to loopback allowed)" : ""), retried for \(settings.giveUpAfter)")
        return OutboxDeliveryService(deliverer: deliverer, name: "Webhooks", logger: logger)
    }
}

extension OutboxDeliveryService<WebhookDeliverer> {
    /// Its counters, for the worker's `/metrics`.
    var prometheusText: PrometheusText { PrometheusText { [deliverer] in deliverer.metrics.registry.emitToBuffer() } }
}
