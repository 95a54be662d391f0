import Foundation
import Testing
import TestSupport

/// Runs the built `decomposer` binary the way an operator would.
@Suite struct DecomposerCommandTests {
    @Test func aBadConfigurationValueStopsStartUpWithExitCode2() throws {
        let result = try runDecomposer(["doctor"], environment: ["PORT": "eighty"])
        #expect(result.status == 2)
        #expect(result.standardError.contains("PORT must be an integer from 1 to 65535 (got \"eighty\")"))
    }

    @Test func anUnreachableRedisIsOneLineAndExitCode1() throws {
        let port = try freeLoopbackPort()
        let result = try runDecomposer(["doctor"], environment: ["REDIS_URL": "redis://127.0.0.1:\(port)/0"])
        #expect(result.status == 1)
        #expect(result.standardError.contains("cannot reach Redis"))
        #expect(result.standardError.split(separator: "\n").count == 1)
    }

    @Test func doctorLoadsTheScriptsAndShowsTheQueue() async throws {
        let server = try await SharedRedis.server()
        let result = try runDecomposer(["doctor"], environment: [
            "REDIS_URL": server.url, "REDIS_KEY_PREFIX": SharedRedis.uniquePrefix("cli"),
        ])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("scripts  ok"))
        #expect(result.standardOutput.contains("queue    waiting 0"))
    }

    @Test func cleanupRefusesAnUnreadableAge() throws {
        let result = try runDecomposer(["cleanup", "--older-than", "soon"], environment: [:])
        #expect(result.status != 0)
        #expect(result.standardError.contains("--older-than must be an age"))
    }
}

struct CommandResult {
    let status: Int32
    let standardOutput: String
    let standardError: String
}

func runDecomposer(_ arguments: [String], environment: [String: String]) throws -> CommandResult {
    let process = Process()
    process.executableURL = decomposerBinary()
    process.arguments = arguments
    var env = ["PATH": "/usr/bin:/bin", "ENV_FILE": "/nonexistent/.env", "HOME": NSTemporaryDirectory()]
    env.merge(environment) { _, new in new }
    process.environment = env
    // Files, not pipes: a redis-server spawned meanwhile by another test could
    // inherit a pipe's write end and keep EOF from ever arriving.
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let outURL = folder.appendingPathComponent("stdout")
    let errURL = folder.appendingPathComponent("stderr")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    process.standardOutput = try FileHandle(forWritingTo: outURL)
    process.standardError = try FileHandle(forWritingTo: errURL)
    try process.run()
    process.waitUntilExit()
    let outData = try Data(contentsOf: outURL)
    let errData = try Data(contentsOf: errURL)
    return CommandResult(
        status: process.terminationStatus, standardOutput: String(decoding: outData, as: UTF8.self),
        standardError: String(decoding: errData, as: UTF8.self))
}
