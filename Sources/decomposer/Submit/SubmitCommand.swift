import ArgumentParser
import CurlHTTP
import DecomposerCore
import Exports
import Foundation
import HummingbirdWSClient
import Logging
import Synchronization
import SystemSupport

/// `decomposer submit poster.png`: upload, queue, follow the job over the
/// WebSocket, download the layers. For people who prefer the terminal to the
/// web page; exit code 1 with the server's message when anything is refused.
struct SubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit", abstract: "Decompose a poster through a running API and download its layers.")

    @Argument(help: "The poster (PNG or JPEG).")
    var poster: String

    @Option(help: "Number of layers, 2 to 10.")
    var layers = 5

    @Option(help: "Resolution the model works at: 640 or 1024.")
    var resolution = 1024

    @Option(help: "The API's base URL (default: DECOMPOSER_API_URL, else http://127.0.0.1:8000).")
    var api: String?

    @Option(help: "Where to put the layers (default: ./<poster name>-layers/).")
    var out: String?

    @Flag(help: "Call the model even when an identical request has a result in the cache.")
    var noCache = false

    @Option(
        name: .customLong("format"),
        help: "Also download the job as a layered file: psd, pptx or zip (repeat for several), as <job id>.<format>.")
    var formats: [String] = []

    @Option(help: "Also have the job's end POSTed, signed, to this https:// URL (README \"Webhooks\").")
    var webhook: String?

    func validate() throws {
        guard JobRequest.layerRange.contains(layers) else { throw ValidationError("--layers must be from 2 to 10") }
        guard JobRequest.resolutions.contains(resolution) else { throw ValidationError("--resolution must be 640 or 1024") }
        for format in formats where ExportFormat(rawValue: format) == nil {
            throw ValidationError("--format must be psd, pptx or zip (got '\(format)')")
        }
    }

    func run() async throws {
        let values = try ConfigurationValues.fromProcess()
        let base = (api ?? values.string("DECOMPOSER_API_URL") ?? "http://127.0.0.1:8000")
            .trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        let http = CurlHTTPClient(maxConnections: 4)
        defer { http.shutdown() }
        let client = APIClient(baseURL: base, apiKey: values.string("API_KEY"), http: http)
        let posterURL = URL(fileURLWithPath: poster)
        do {
            let fileID = try await client.upload(posterURL)
            let jobID = try await client.decompose(
                fileID: fileID, layers: layers, resolution: resolution, useCache: !noCache, webhook: webhook)
            Self.say("Job \(jobID) queued (\(layers) layers at \(resolution) px)")
            let job = try await follow(jobID, client: client)
            try await finish(job, client: client, poster: posterURL)
        } catch let error as APIClientError {
            FileHandle.standardError.write(Data("decomposer: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }

    /// Follows the job over the WebSocket until its terminal state. A 1013 close (the server
    /// found this client too far behind) reconnects: the new snapshot catches up. Any other
    /// early end (proxy, restart) falls back to polling.
    private func follow(_ jobID: String, client: APIClient) async throws -> [String: Any] {
        let display = Mutex(ProgressDisplay())
        let terminal = Mutex<String?>(nil)
        let show: @Sendable ([String: Any]) -> Void = { job in
            display.withLock {
                $0.show(status: job["status"] as? String ?? "", progress: job["progress"] as? Int ?? 0, message: QueueLine.text(job) ?? job["message"] as? String ?? "")
            }
        }
        var reconnects = 0
        while terminal.withLock({ $0 }) == nil {
            let close = try? await WebSocketClient.connect(url: client.statusWebSocketURL(jobID), logger: Logger(label: "submit")) { inbound, _, _ in
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    guard case .text(let text) = message,
                        let job = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], job["status"] != nil
                    else { continue }
                    show(job)
                    if Self.isFinished(job) { terminal.withLock { $0 = text } }
                }
            }
            guard let frame = close ?? nil, WatchReconnect.reconnects(after: frame), reconnects < WatchReconnect.limit else { break }
            reconnects += 1
            try await Task.sleep(for: WatchReconnect.delay(attempt: reconnects))
        }
        var job = terminal.withLock { $0 }.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        while job == nil || !Self.isFinished(job!) {
            // The socket closed early (proxy, restart): poll until the job ends.
            try await Task.sleep(for: .seconds(1))
            let polled = try await client.job(jobID)
            show(polled)
            job = polled
        }
        display.withLock { $0.finish() }
        return job!
    }

    private func finish(_ job: [String: Any], client: APIClient, poster: URL) async throws {
        guard job["status"] as? String == "completed" else {
            let error = job["error"] as? [String: Any]
            let message = error?["message"] as? String ?? "the job was \(job["status"] as? String ?? "not completed")"
            throw APIClientError("job \(job["job_id"] as? String ?? "") \(job["status"] as? String ?? "failed"): \(message)")
        }
        let folder = URL(fileURLWithPath: out ?? "\(poster.deletingPathExtension().lastPathComponent)-layers")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let layers = job["layers"] as? [[String: Any]] ?? []
        for layer in layers {
            guard let url = layer["url"] as? String, let name = layer["filename"] as? String else { continue }
            let bytes = try await client.download(url)
            let destination = folder.appendingPathComponent(name)
            try await BlockingIO.run { try Data(bytes).write(to: destination, options: .atomic) }
        }
        var exports: [String] = []
        let jobID = job["job_id"] as? String ?? ""
        for format in formats.compactMap(ExportFormat.init(rawValue:)) {
            let bytes = try await client.download("/api/jobs/\(jobID)/export?format=\(format.rawValue)")
            let name = "\(jobID).\(format.fileExtension)"
            let destination = folder.appendingPathComponent(name)
            try await BlockingIO.run { try Data(bytes).write(to: destination, options: .atomic) }
            exports.append(name)
        }
        let files = exports.isEmpty ? "" : " and \(exports.joined(separator: ", "))"
        let origin = job["cached"] as? Bool == true ? "from the result cache, no GPU call" : "cost \(String(format: "$%.6f", job["cost_usd"] as? Double ?? 0))"
        Self.say("\(layers.count) layers\(files) in \(folder.path)/ (\(origin))")
    }

    /// Straight to the file descriptor, in order with the progress lines.
    private static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    private static func isFinished(_ job: [String: Any]) -> Bool {
        ["completed", "failed", "cancelled"].contains(job["status"] as? String ?? "")
    }
}
