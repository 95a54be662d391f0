import CostTracker
import DecomposerCore
import OperationalRoutes
import Prometheus
import Synchronization

/// The API's Prometheus metrics, on a registry of its own. Request figures
/// are counted as requests pass; queue and cost figures are read from Redis
/// when scraped, so every API replica reports the same fleet-wide numbers.
public final class APIMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    private static var requestDescriptor: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "decomposer", subsystem: "api", metricName: "requests", unitName: "total",
            helpText: "HTTP requests by method, route and status")
    }
    private static var durationDescriptor: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "decomposer", subsystem: "api", metricName: "request_duration", unitName: "seconds",
            helpText: "HTTP request latency by method and route")
    }
    let watchers: Gauge
    /// Job watchers closed with `StatusWebSocket.laggingCloseCode` (their socket could not keep up).
    let watchersClosedLagging: Counter
    /// Messages written to job watchers (snapshots, changes, places): compared with what the
    /// clients received, it tells whether a missing delivery was lost by the server or the client.
    let watchMessages: Counter
    private let queueDepth: QueueDepthGauges
    private let jobsInFlight: Gauge
    private let jobTotals: [(key: String, gauge: Gauge)]
    private let costToday: Gauge
    private let held: Gauge
    /// The request series already made, so a request costs one dictionary
    /// lookup instead of the registry's label matching under its lock.
    private let requestSeries = Mutex<[RequestSeriesKey: (count: Counter, duration: DurationHistogram)]>([:])

    private struct RequestSeriesKey: Hashable {
        let method: String
        let route: String
        let status: Int
    }

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        watchers = registry.makeGauge(descriptor: MetricNameDescriptor(
            namespace: "decomposer", subsystem: "api", metricName: "websocket_watchers", unitName: "connections",
            helpText: "WebSocket connections watching a job"))
        watchersClosedLagging = registry.makeCounter(descriptor: MetricNameDescriptor(
            namespace: "decomposer", subsystem: "api", metricName: "websocket_lagging_closes", unitName: "total",
            helpText: "WebSocket watchers closed with 1013 because their socket could not keep up (they reconnect)"))
        watchMessages = registry.makeCounter(descriptor: MetricNameDescriptor(
            namespace: "decomposer", subsystem: "api", metricName: "websocket_messages", unitName: "total",
            helpText: "Messages written to WebSocket watchers of jobs"))
        queueDepth = QueueDepthGauges(registry: registry)
        jobsInFlight = registry.makeGauge(descriptor: MetricNameDescriptor(
            namespace: "decomposer", subsystem: "queue", metricName: "jobs_in_flight", unitName: "jobs",
            helpText: "Jobs running on a worker now (fleet-wide)"))
        // Gauges, not counters: they mirror fleet-wide totals kept in Redis.
        let totals = MetricNameDescriptor(
            namespace: "decomposer", subsystem: "queue", metricName: "events", unitName: "total",
            helpText: "Fleet-wide job events since the queue was created (completed, failed, cancelled, retries, recoveries)")
        jobTotals = ["completed", "failed", "cancelled", "retries", "recoveries"].map {
            ($0, registry.makeGauge(descriptor: totals, labels: [("event", $0)]))
        }
        costToday = registry.makeGauge(descriptor: MetricNameDescriptor(
            namespace: "decomposer", subsystem: "cost", metricName: "today", unitName: "usd",
            helpText: "GPU cost attributed today (UTC)"))
        held = registry.makeGauge(descriptor: MetricNameDescriptor(
            namespace: "decomposer", subsystem: "queue", metricName: "held", unitName: "",
            helpText: "1 while the daily GPU budget is spent and workers claim nothing (DAILY_BUDGET_USD)"))
    }

    func recordRequest(method: String, route: String, status: Int, duration: Duration) {
        let key = RequestSeriesKey(method: method, route: route, status: status)
        let series = requestSeries.withLock { known in
            if let series = known[key] { return series }
            let series = (
                count: registry.makeCounter(
                    descriptor: Self.requestDescriptor,
                    labels: [("method", method), ("route", route), ("status", String(status))]),
                duration: registry.makeDurationHistogram(
                    descriptor: Self.durationDescriptor, labels: [("method", method), ("route", route)],
                    buckets: Self.latencyBuckets))
            known[key] = series
            return series
        }
        series.count.increment()
        series.duration.record(duration)
    }

    /// Reads the fleet-wide figures; a Redis failure leaves the last values.
    func refresh(queue: JobQueue, costs: CostTracker) async {
        if let counts = try? await queue.counts() {
            queueDepth.record(counts)
            jobsInFlight.set(Int64(counts.active))
            for (key, gauge) in jobTotals { gauge.set(counts.totals[key] ?? 0) }
            held.set(Int64(counts.held ? 1 : 0))
        }
        if let today = try? await costs.days(last: 1).first {
            costToday.set(today.usd)
        }
    }

    private static let latencyBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
    ]
}
