import API
import CostTracker
import CurlHTTP
import DecomposerCore
import Foundation
import HummingbirdWSClient
import ImageCodec
import Logging
import Redis
import ServiceLifecycle
import Storage
import Synchronization
import SystemSupport
import TestSupport

/// A running API on a free loopback port over real Redis, with temp folders,
/// a real HTTP client (libcurl) and a real WebSocket client.
final class APIHarness: Sendable {
    let server: RedisServer
    let redis: RedisClient
    let queue: JobQueue
    let costs: CostTracker
    let api: APIServer
    let root: URL
    let uploads: UploadStore
    let results: URL
    let http = CurlHTTPClient()
    let port: Int
    private let group: ServiceGroup
    private let running: Task<Void, any Error>

    init(
        redisServer: RedisServer? = nil, maxQueueDepth: Int = 10_000, maxUploadBytes: Int = 25 << 20,
        apiKey: String? = nil, adminAPIKey: String? = nil, corsAllowedOrigins: [String] = [], costRetentionDays: Int = 30,
        dailyBudgetUSD: Double? = nil, watchLinger: Duration = .seconds(30), webhooks: WebhookSettings = WebhookSettings(),
        watchBacklogLimit: Int = JobWatchHub.defaultBacklogLimit, webSocketPingInterval: Duration = .seconds(30)
    ) async throws {
        if let redisServer { server = redisServer } else { server = try await SharedRedis.server() }
        redis = server.makeClient()
        let prefix = SharedRedis.uniquePrefix("api")
        queue = JobQueue(redis: redis, keys: QueueKeys(prefix: prefix), policy: QueuePolicy(maxQueueDepth: maxQueueDepth))
        costs = CostTracker(
            queue: queue, rate: GPURate(usdPerHour: 3.6), retentionDays: costRetentionDays, dailyBudgetUSD: dailyBudgetUSD)
        root = FileManager.default.temporaryDirectory.appendingPathComponent("api-\(UUID().uuidString)")
        uploads = UploadStore(directory: root.appendingPathComponent("uploads"))
        results = root.appendingPathComponent("results")
        try FileManager.default.createDirectory(at: uploads.directory, withIntermediateDirectories: true)
        api = APIServer(
            queue: queue, costs: costs,
            settings: APISettings(
                uploadsDirectory: uploads.directory, resultsDirectory: results, maxUploadBytes: maxUploadBytes,
                costRetentionDays: costRetentionDays, apiKey: apiKey, adminAPIKey: adminAPIKey,
                corsAllowedOrigins: corsAllowedOrigins, webSocketPingInterval: webSocketPingInterval,
                watchLinger: watchLinger, webhooks: webhooks, watchBacklogLimit: watchBacklogLimit),
            logger: Logger(label: "api-test"))
        let (bound, continuation) = AsyncStream.makeStream(of: Int.self)
        group = ServiceGroup(configuration: .init(
            services: api.services(host: "127.0.0.1", port: 0, onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            }),
            logger: Logger(label: "api-test-group")))
        running = Task { [group] in try await group.run() }
        var iterator = bound.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else { throw TestSupportError("the API did not start") }
        self.port = port
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Graceful shutdown, as on SIGTERM.
    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await running.value
        http.shutdown()
        redis.shutdown()
        try? FileManager.default.removeItem(at: root)
    }

    // MARK: HTTP

    func request(
        _ method: String, _ path: String, body: [UInt8]? = nil, headers: [(String, String)] = []
    ) async throws -> HTTPResponse {
        try await http.send(HTTPRequest(
            method: method, url: baseURL + path, headers: headers.map { (name: $0.0, value: $0.1) }, body: body,
            timeout: .seconds(30)))
    }

    func postJSON(_ path: String, _ text: String, headers: [(String, String)] = []) async throws -> HTTPResponse {
        try await request("POST", path, body: Array(text.utf8), headers: [("Content-Type", "application/json")] + headers)
    }

    func upload(
        _ bytes: [UInt8], filename: String = "poster.png", field: String = "file", contentType: String = "image/png"
    ) async throws -> HTTPResponse {
        let boundary = "----test-\(UUID().uuidString)"
        let body = Multipart.form(boundary: boundary, parts: [(field, filename, contentType, bytes)])
        return try await request("POST", "/api/upload", body: body,
                                 headers: [("Content-Type", "multipart/form-data; boundary=\(boundary)")])
    }

    /// Uploads a PNG poster and returns its file id.
    func uploadPoster(width: Int = 64, height: Int = 48) async throws -> String {
        let response = try await upload(try Fixtures.png(width: width, height: height))
        guard response.status == 201, let id = try response.json()["file_id"] as? String else {
            throw TestSupportError("upload failed: \(response.status) \(response.text)")
        }
        return id
    }

    /// Queues a job for a fresh poster and returns its id.
    func createJob(layers: Int = 3) async throws -> UUID {
        let fileID = try await uploadPoster()
        let response = try await postJSON("/api/decompose", #"{"file_id":"\#(fileID)","num_layers":\#(layers)}"#)
        guard response.status == 202, let id = (try response.json()["job_id"] as? String).flatMap(UUID.init(uuidString:)) else {
            throw TestSupportError("decompose failed: \(response.status) \(response.text)")
        }
        return id
    }

    // MARK: A worker's side, through the real queue

    /// Claims the next job as a worker would.
    func claim() async throws -> JobLease {
        guard case .claimed(let lease) = try await queue.claim(progress: 10, message: "Preparing image") else {
            throw TestSupportError("nothing to claim")
        }
        return lease
    }

    /// Writes `count` layer PNGs for the job (in the folder of the attempt a worker's call would be) and completes it.
    @discardableResult
    func complete(_ lease: JobLease, layers count: Int) async throws -> [LayerResult] {
        let layers = try await writeLayers(for: lease, count: count)
        try await queue.complete(lease, layers: layers)
        return layers
    }

    /// Writes `count` layer PNGs in the folder of the attempt a worker's call for `lease` would be.
    func writeLayers(for lease: JobLease, count: Int) async throws -> [LayerResult] {
        let folder = results.appendingPathComponent(lease.job.id.lowercasedString)
            .appendingPathComponent(String(lease.job.attempts + 1))
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var layers: [LayerResult] = []
        for index in 0..<count {
            let png = try Fixtures.png(width: 32, height: 24, seed: index)
            try Data(png).write(to: folder.appendingPathComponent("layer_\(index).png"))
            layers.append(LayerResult(
                index: index, filename: "layer_\(index).png", url: "/results/\(lease.job.id.lowercasedString)/layer_\(index).png",
                sizeKB: Double(png.count) / 1024, width: 32, height: 24))
        }
        return layers
    }

    // MARK: WebSocket

    /// Connects to `/ws/status/{id}` and collects text messages until the server closes.
    func watch(
        _ id: String, query: String = "", onConnect: @escaping @Sendable () -> Void = {},
        onMessage: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws -> (messages: [String], closeCode: Int?) {
        let messages = Mutex<[String]>([])
        let close = try await WebSocketClient.connect(
            url: "ws://127.0.0.1:\(port)/ws/status/\(id)\(query)", logger: Logger(label: "ws-test")
        ) { inbound, _, _ in
            onConnect()
            for try await message in inbound.messages(maxSize: 1 << 20) {
                if case .text(let text) = message {
                    messages.withLock { $0.append(text) }
                    onMessage(text)
                }
            }
        }
        let code: Int? = close.map { frame in
            switch frame.closeCode {
            case .normalClosure: 1000
            case .goingAway: 1001
            case .protocolError: 1002
            case .unexpectedServerError: 1011
            case .unknown(let value): Int(value)
            default: -1
            }
        }
        return (messages.withLock { $0 }, code)
    }
}

extension HTTPResponse {
    var text: String { String(decoding: body, as: UTF8.self) }

    func json() throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            throw TestSupportError("not a JSON object: \(text)")
        }
        return object
    }

    /// `error.code` of a JSON error body.
    var errorCode: String? { ((try? json())?["error"] as? [String: Any])?["code"] as? String }
    var errorMessage: String? { ((try? json())?["error"] as? [String: Any])?["message"] as? String }
}

enum Multipart {
    static func form(boundary: String, parts: [(name: String, filename: String?, contentType: String?, bytes: [UInt8])]) -> [UInt8] {
        var body: [UInt8] = []
        for part in parts {
            var head = "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(part.name)\""
            if let filename = part.filename { head += "; filename=\"\(filename)\"" }
            head += "\r\n"
            if let type = part.contentType { head += "Content-Type: \(type)\r\n" }
            head += "\r\n"
            body += Array(head.utf8) + part.bytes + Array("\r\n".utf8)
        }
        return body + Array("--\(boundary)--\r\n".utf8)
    }
}

enum Fixtures {
    static func png(width: Int, height: Int, seed: Int = 0) throws -> [UInt8] {
        try ImageEncoder.png(raster(width: width, height: height, seed: seed))
    }

    static func jpeg(width: Int, height: Int) throws -> [UInt8] {
        try ImageEncoder.jpeg(raster(width: width, height: height, seed: 1), quality: 85)
    }

    static func raster(width: Int, height: Int, seed: Int) -> RasterImage {
        TestImages.gradient(width: width, height: height, seed: seed)
    }

    /// A valid PNG signature and IHDR claiming `width`×`height`, and no pixels.
    static func pngHeader(width: UInt32, height: UInt32) -> [UInt8] {
        var ihdr: [UInt8] = Array("IHDR".utf8)
        ihdr += bigEndian(width) + bigEndian(height) + [8, 6, 0, 0, 0]
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + bigEndian(13) + ihdr + bigEndian(crc32(ihdr))
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] { withUnsafeBytes(of: value.bigEndian) { Array($0) } }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ (0xEDB8_8320 & (0 &- (crc & 1))) }
        }
        return ~crc
    }
}
