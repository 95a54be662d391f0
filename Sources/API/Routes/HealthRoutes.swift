import CostTracker
import DecomposerCore
import Hummingbird
import Synchronization

/// `/healthz` (the process answers), `/readyz` (Redis reachable, queue
/// scripts loaded, not draining), `/metrics`, `/openapi.yaml`.
struct HealthRoutes {
    let queue: JobQueue
    let costs: CostTracker
    let metrics: APIMetrics
    /// Extra registries to append to `/metrics` (the in-process worker's).
    let extraMetrics: [PrometheusText]
    let drain: DrainState

    func register(on router: Router<APIRequestContext>) {
        router.get("/healthz") { _, _ in try JSONResponse.make(.ok, ["status": "ok"]) }
        router.get("/readyz") { _, _ in try await readiness() }
        router.get("/metrics") { _, _ in
            await metrics.refresh(queue: queue, costs: costs)
            var text = metrics.registry.emitToBuffer()
            for extra in extraMetrics { text += await extra.emit() }
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: text)))
        }
        router.get("/openapi.yaml") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "application/yaml; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.yaml)))
        }
    }

    func readiness() async throws -> Response {
        guard !drain.isDraining else {
            return try JSONResponse.make(.serviceUnavailable, ["status": "unavailable", "reason": "shutting down"])
        }
        do {
            // Idempotent and cheap: proves Redis answers and re-loads the scripts
            // after a Redis restart emptied its script cache.
            try await queue.loadScripts()
            return try JSONResponse.make(.ok, ["status": "ready"])
        } catch {
            return try JSONResponse.make(.serviceUnavailable, ["status": "unavailable", "reason": "\(error)"])
        }
    }
}

/// Prometheus text from another component in the same process.
public struct PrometheusText: Sendable {
    public let emit: @Sendable () async -> [UInt8]

    public init(emit: @escaping @Sendable () async -> [UInt8]) { self.emit = emit }
}

/// Set when graceful shutdown begins, so `/readyz` turns 503 at once and the
/// orchestrator stops routing new requests here while in-flight ones finish.
public final class DrainState: Sendable {
    private let draining = Atomic(false)

    public init() {}

    public var isDraining: Bool { draining.load(ordering: .relaxed) }

    public func startDraining() { draining.store(true, ordering: .relaxed) }
}
