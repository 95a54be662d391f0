import DecomposerCore
import Prometheus

/// `decomposer_queue_depth_jobs{state=waiting|retrying|running|dead}`: the
/// fleet-wide queue depth, read from Redis when scraped. One type for the API
/// and the worker, so the family is declared once; a process that runs both
/// (`api --with-worker`) makes it on one registry only, so it appears once.
public struct QueueDepthGauges: Sendable {
    private let waiting: Gauge
    private let retrying: Gauge
    private let running: Gauge
    private let dead: Gauge

    public init(registry: PrometheusCollectorRegistry) {
        let descriptor = MetricNameDescriptor(
            namespace: "decomposer", subsystem: "queue", metricName: "depth", unitName: "jobs",
            helpText: "Jobs in the queue by state")
        func gauge(_ state: String) -> Gauge { registry.makeGauge(descriptor: descriptor, labels: [("state", state)]) }
        waiting = gauge("waiting")
        retrying = gauge("retrying")
        running = gauge("running")
        dead = gauge("dead")
    }

    public func record(_ counts: QueueCounts) {
        waiting.set(Int64(counts.waiting))
        retrying.set(Int64(counts.delayed))
        running.set(Int64(counts.active))
        dead.set(Int64(counts.dead))
    }
}
