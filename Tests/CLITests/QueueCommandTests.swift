import DecomposerCore
import Foundation
import Testing
import SystemSupport
import TestSupport

/// `decomposer queue pause|resume|status` run as an operator would: exit codes and JSON output.
@Suite struct QueueCommandTests {
    @Test func pauseStatusAndResumeThroughTheBinary() async throws {
        let server = try await SharedRedis.server()
        let prefix = SharedRedis.uniquePrefix("queuecli")
        let environment = ["REDIS_URL": server.url, "REDIS_KEY_PREFIX": prefix]
        let paused = try await runDecomposer(
            ["queue", "pause", "--message", "Maintenance", "--format", "json"], environment: environment)
        #expect(paused.status == 0, "\(paused.standardError)")
        #expect(paused.standardOutput == #"{"message":"Maintenance","paused":true,"queued_jobs_annotated":0}"# + "\n")
        let redis = server.makeClient()
        defer { redis.shutdown() }
        #expect(try await redis.send("GET", "\(prefix):queue:operator-pause").string == "Maintenance")

        let status = try await runDecomposer(["queue", "status", "--format", "json"], environment: environment)
        #expect(status.status == 0, "\(status.standardError)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(status.standardOutput.utf8)) as? [String: Any])
        #expect((json["operator_pause"] as? [String: Any])?["message"] as? String == "Maintenance")
        #expect(json["budget_hold"] is NSNull)
        #expect(json["claimable"] as? Bool == false)
        let table = try await runDecomposer(["queue", "status"], environment: environment)
        #expect(table.standardOutput.contains("operator pause  yes: Maintenance"))

        let resumed = try await runDecomposer(["queue", "resume", "--format", "json"], environment: environment)
        #expect(resumed.status == 0, "\(resumed.standardError)")
        #expect(resumed.standardOutput == #"{"budget_hold":false,"resumed":true}"# + "\n")
        #expect(try await redis.send("EXISTS", "\(prefix):queue:operator-pause").int == 0)
        let again = try await runDecomposer(["queue", "resume"], environment: environment)
        #expect(again.status == 0)
        #expect(again.standardOutput == "The queue was not paused\n")
    }

    @Test func badArgumentsExit2AndAnUnreachableRedisExits1() async throws {
        let empty = try await runDecomposer(["queue", "pause", "--message", " "], environment: [:])
        #expect(empty.status == 2)
        #expect(empty.standardError.contains("--message must not be empty"))
        let format = try await runDecomposer(["queue", "status", "--format", "xml"], environment: [:])
        #expect(format.status == 2)
        let port = try freeLoopbackPort()
        let down = try await runDecomposer(["queue", "pause"], environment: ["REDIS_URL": "redis://127.0.0.1:\(port)/0"])
        #expect(down.status == 1)
        #expect(down.standardError.contains("cannot reach Redis"))
    }
}

/// `decomposer jobs show|cancel` against a job queued through the queue itself.
@Suite struct JobsCommandTests {
    @Test func showPrintsTheJobWithItsHistoryAndCancelCancelsIt() async throws {
        let server = try await SharedRedis.server()
        let prefix = SharedRedis.uniquePrefix("jobscli")
        let redis = server.makeClient()
        defer { redis.shutdown() }
        let queue = JobQueue(redis: redis, keys: QueueKeys(prefix: prefix), policy: QueuePolicy())
        let id = try await queue.enqueue(JobRequest(fileID: UUID())).jobID.lowercasedString
        let environment = ["REDIS_URL": server.url, "REDIS_KEY_PREFIX": prefix]

        let shown = try await runDecomposer(["jobs", "show", id, "--format", "json"], environment: environment)
        #expect(shown.status == 0, "\(shown.standardError)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(shown.standardOutput.utf8)) as? [String: Any])
        #expect((json["job"] as? [String: Any])?["status"] as? String == "queued")
        #expect((json["events"] as? [[String: Any]])?.first?["status"] as? String == "queued")

        let cancelled = try await runDecomposer(["jobs", "cancel", id, "--format", "json"], environment: environment)
        #expect(cancelled.status == 0, "\(cancelled.standardError)")
        #expect(cancelled.standardOutput == "{\"\(id)\":\"cancelled (was queued)\"}\n")
        let table = try await runDecomposer(["jobs", "show", id], environment: environment)
        #expect(table.standardOutput.contains("status           cancelled"))
        #expect(table.standardOutput.contains("history"))

        let unknown = UUID().lowercasedString
        let missing = try await runDecomposer(["jobs", "show", unknown], environment: environment)
        #expect(missing.status == 1)
        #expect(missing.standardError.contains("no job \(unknown)"))
        let missingCancel = try await runDecomposer(["jobs", "cancel", unknown], environment: environment)
        #expect(missingCancel.status == 1)
        let malformed = try await runDecomposer(["jobs", "show", "not-a-uuid"], environment: environment)
        #expect(malformed.status == 2)
    }
}
