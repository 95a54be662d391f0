import Foundation
import Testing
import TestSupport

/// Runs the built `decomposer` binary the way an operator would.
@Suite struct DecomposerCommandTests {
    @Test func aBadConfigurationValueStopsStartUpWithExitCode2() async throws {
        let result = try await runDecomposer(["doctor"], environment: ["PORT": "eighty"])
        #expect(result.status == 2)
        #expect(result.standardError.contains("PORT must be an integer from 1 to 65535 (got \"eighty\")"))
    }

    @Test func anUnreachableRedisIsOneLineAndExitCode1() async throws {
        let port = try freeLoopbackPort()
        let result = try await runDecomposer(["doctor"], environment: ["REDIS_URL": "redis://127.0.0.1:\(port)/0"])
        #expect(result.status == 1)
        #expect(result.standardError.contains("cannot reach Redis"))
        #expect(result.standardError.split(separator: "\n").count == 1)
    }

    @Test func doctorLoadsTheScriptsAndShowsTheQueue() async throws {
        let server = try await SharedRedis.server()
        let result = try await runDecomposer(["doctor"], environment: [
            "REDIS_URL": server.url, "REDIS_KEY_PREFIX": SharedRedis.uniquePrefix("cli"),
        ])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("scripts  ok"))
        #expect(result.standardOutput.contains("queue    waiting 0"))
    }

    @Test func cleanupRefusesAnUnreadableAge() async throws {
        let result = try await runDecomposer(["cleanup", "--older-than", "soon"], environment: [:])
        #expect(result.status != 0)
        #expect(result.standardError.contains("--older-than must be an age"))
    }
}

/// Runs the built `decomposer` with a clean environment plus `environment`.
func runDecomposer(_ arguments: [String], environment: [String: String]) async throws -> ProcessResult {
    var env = ["PATH": "/usr/bin:/bin", "ENV_FILE": "/nonexistent/.env", "HOME": NSTemporaryDirectory()]
    env.merge(environment) { _, new in new }
    return try await runCapturingOutput(decomposerBinary(), arguments, environment: env)
}

@Suite struct CostReportCommandTests {
    @Test func theReportReadsRedisAndPrintsEveryFormat() async throws {
        let server = try await SharedRedis.server()
        let prefix = SharedRedis.uniquePrefix("costcli")
        let redis = server.makeClient()
        defer { redis.shutdown() }
        let today = UTCDayKey.today()
        try await redis.send(["HSET", "\(prefix):cost:\(today)", "microdollars", "2500000", "gpu_ms", "20000",
                              "requests", "4", "failed_requests", "1"])
        let environment = ["REDIS_URL": server.url, "REDIS_KEY_PREFIX": prefix]
        let csv = try await runDecomposer(["cost-report", "--days", "2", "--format", "csv"], environment: environment)
        #expect(csv.status == 0, "\(csv.standardError)")
        let lines = csv.standardOutput.split(separator: "\n")
        #expect(lines.first == "date,requests,failed_requests,gpu_seconds,usd,cache_hits,cache_avoided_usd")
        #expect(lines.count == 4)
        #expect(lines[2] == "\(today),4,1,20.000,2.500000,0,0.000000")
        #expect(lines[3] == "total,4,1,20.000,2.500000,0,0.000000")
        let json = try await runDecomposer(["cost-report", "--days", "1", "--format", "json"], environment: environment)
        #expect(json.standardOutput == #"{"days":[{"cache_avoided_usd":0,"cache_hits":0,"date":"\#(today)","failed_requests":1,"gpu_seconds":20,"requests":4,"usd":2.5}],"total_cache_avoided_usd":0,"total_cache_hits":0,"total_usd":2.5}"# + "\n")
        let table = try await runDecomposer(["cost-report"], environment: environment)
        #expect(table.standardOutput.split(separator: "\n").count == 7 + 4, "7 days, header, two rules, total")
    }

    @Test func anUnreachableRedisIsOneLineAndExitCode1() async throws {
        let port = try freeLoopbackPort()
        let result = try await runDecomposer(["cost-report"], environment: ["REDIS_URL": "redis://127.0.0.1:\(port)/0"])
        #expect(result.status == 1)
        #expect(result.standardError.split(separator: "\n").count == 1)
        #expect(result.standardError.contains("cannot reach Redis"))
    }

    @Test func anUnknownGPUTypeStopsStartUpNamingTheAcceptedValues() async throws {
        let result = try await runDecomposer(["cost-report"], environment: ["GPU_TYPE": "V100"])
        #expect(result.status == 2)
        #expect(result.standardError.contains("GPU_TYPE must be one of T4, L4, A100_40GB, A100_80GB, H100_80GB"))
    }

    @Test func daysOutsideTheRetentionAreRefused() async throws {
        let result = try await runDecomposer(["cost-report", "--days", "31"], environment: [:])
        #expect(result.status != 0)
        #expect(result.standardError.contains("--days must be from 1 to 30"))
    }
}

/// Today's UTC date as `YYYY-MM-DD`.
enum UTCDayKey {
    static func today() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        return formatter.string(from: Date())
    }
}
