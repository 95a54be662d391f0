import Foundation
import TestSupport

/// `decomposer endpoint` as an operator runs it: a child process whose
/// stderr (the log) goes to a file, so its start-up line can be read.
final class EndpointProcess {
    let process = Process()
    private let folder: URL
    private let errorLog: URL

    init(arguments: [String], environment: [String: String]) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("endpoint-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        errorLog = folder.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: errorLog.path, contents: nil)
        process.executableURL = decomposerBinary()
        process.arguments = ["endpoint"] + arguments
        var env = ["PATH": "/usr/bin:/bin", "ENV_FILE": "/nonexistent/.env", "HOME": NSTemporaryDirectory()]
        env.merge(environment) { _, new in new }
        process.environment = env
        // Files, not pipes: see runDecomposer in CLITests.
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: errorLog)
        try process.run()
    }

    var standardError: String {
        (try? String(contentsOf: errorLog, encoding: .utf8)) ?? ""
    }

    /// The URL the start-up line tells workers to use (bounded wait).
    func advertisedURL() async throws -> String {
        for _ in 0..<600 {
            if let range = standardError.range(of: #"VERTEX_AI_API_ENDPOINT=http://[^ ]+"#, options: .regularExpression) {
                return String(standardError[range].dropFirst("VERTEX_AI_API_ENDPOINT=".count))
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestSupportError("no start-up line; stderr: \(standardError)")
    }

    /// Sends `signal` and waits for the exit status (bounded wait).
    func stop(signal: Int32 = SIGTERM) async throws -> Int32 {
        kill(process.processIdentifier, signal)
        for _ in 0..<600 where process.isRunning {
            try await Task.sleep(for: .milliseconds(50))
        }
        guard !process.isRunning else {
            throw TestSupportError("the endpoint did not stop after signal \(signal)")
        }
        return process.terminationStatus
    }

    /// Waits for the process to end by itself (start-up errors), bounded;
    /// returns its status and stderr.
    func waitForExit() async throws -> (status: Int32, standardError: String) {
        for _ in 0..<600 where process.isRunning {
            try await Task.sleep(for: .milliseconds(50))
        }
        guard !process.isRunning else { throw TestSupportError("the endpoint kept running; stderr: \(standardError)") }
        return (process.terminationStatus, standardError)
    }

    /// A test that failed half-way must not leave a server running.
    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: folder)
    }
}
