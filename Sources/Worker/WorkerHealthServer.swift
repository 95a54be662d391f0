import DecomposerCore
import Foundation
import Hummingbird
import Logging
import Redis

/// `WORKER_PORT`: `/healthz` (alive), `/readyz` (Redis reachable and still
/// taking jobs — 503 with the reason otherwise, so an orchestrator stops
/// routing during shutdown) and `/metrics` (Prometheus text).
public enum WorkerHealthServer {
    public static func make(
        worker: WorkerService, host: String, port: Int, logger: Logger
    ) -> some ApplicationProtocol {
        let router = Router()
        router.get("/healthz") { _, _ in
            json(.ok, #"{"status":"ok"}"#)
        }
        router.get("/readyz") { _, _ in
            if !worker.isAcceptingJobs { return json(.serviceUnavailable, #"{"status":"unavailable","reason":"shutting down"}"#) }
            do {
                try await worker.queue.redis.send("PING")
                return json(.ok, #"{"status":"ready"}"#)
            } catch {
                let reason = "\(error)".replacingOccurrences(of: "\"", with: "'")
                return json(.serviceUnavailable, #"{"status":"unavailable","reason":"\#(reason)"}"#)
            }
        }
        router.get("/metrics") { _, _ in
            await worker.refreshQueueGauges()
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers,
                            body: .init(byteBuffer: ByteBuffer(bytes: worker.metrics.registry.emitToBuffer())))
        }
        return Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: "decomposer-worker"),
            logger: logger)
    }

    private static func json(_ status: HTTPResponse.Status, _ body: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
