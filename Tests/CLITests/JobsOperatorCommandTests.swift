import DecomposerCore
import Foundation
import Testing
import SystemSupport
import TestSupport

/// `decomposer jobs list|retry|purge` run as an operator would, against jobs the queue itself
/// failed, completed and queued: exit codes, JSON output, and what the queue holds afterwards.
@Suite struct JobsOperatorCommandTests {
    let invalid = JobError(code: "invalid_image", message: "not an image")
    let limited = JobError(code: "gpu_rate_limited", message: "Quota exceeded")

    /// A queue under a prefix of its own, an uploads folder, and the environment the binary gets.
    struct Setup {
        let queue: JobQueue
        let uploads: URL
        let environment: [String: String]

        /// A job on an upload that exists (unless `keepUpload` is false) failed with `error`,
        /// `ago` before now (the queue's clock is Redis's, the same machine's as this one).
        func failedJob(_ error: JobError, ago: Duration = .zero, keepUpload: Bool = true) async throws -> UUID {
            let fileID = UUID()
            if keepUpload { try Data([1]).write(to: uploads.appendingPathComponent("\(fileID.lowercasedString).png")) }
            let at = Date().millisecondsSince1970 - ago.milliseconds
            let past = JobQueue(redis: queue.redis, keys: queue.keys, policy: queue.policy, clock: { at })
            _ = try await past.enqueue(JobRequest(fileID: fileID))
            guard case .claimed(let lease) = try await past.claim(progress: 10, message: "Preparing image") else {
                throw QueueError.redis(.unexpectedReply("nothing to claim"))
            }
            try await past.fail(lease, error: error)
            return lease.job.id
        }
    }

    private func setUp(_ name: String) async throws -> Setup {
        let server = try await SharedRedis.server()
        let prefix = SharedRedis.uniquePrefix(name)
        let uploads = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().lowercasedString)")
        try FileManager.default.createDirectory(at: uploads, withIntermediateDirectories: true)
        let queue = JobQueue(redis: server.makeClient(), keys: QueueKeys(prefix: prefix), policy: QueuePolicy(maxAttempts: 2))
        return Setup(queue: queue, uploads: uploads, environment: [
            "REDIS_URL": server.url, "REDIS_KEY_PREFIX": prefix, "UPLOADS_DIR": uploads.path,
            "RESULTS_DIR": uploads.appendingPathComponent("results").path, "MAX_RETRIES": "1",
        ])
    }

    private func tearDown(_ setup: Setup) {
        setup.queue.redis.shutdown()
        try? FileManager.default.removeItem(at: setup.uploads)
    }

    private func jsonArray(_ text: String) throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
    }

    @Test func aDeadJobRetriedByIdCompletesWithItsAttemptsCountingUp() async throws {
        let setup = try await setUp("retrycli")
        defer { tearDown(setup) }
        let id = try await setup.failedJob(invalid)
        let retried = try await runDecomposer(
            ["jobs", "retry", id.lowercasedString, "--reason", "decoder fixed", "--format", "json"], environment: setup.environment)
        #expect(retried.status == 0, "\(retried.standardError)")
        let rows = try jsonArray(retried.standardOutput)
        #expect(rows.first?["result"] as? String == "queued")
        #expect(rows.first?["attempts"] as? Int == 0)

        // A worker's steps through the queue API: the job runs again, as attempt 1 of a fresh allowance.
        guard case .claimed(let lease) = try await setup.queue.claim(progress: 10, message: "Preparing image") else {
            Issue.record("the retried job was not claimable")
            return
        }
        #expect(lease.job.id == id)
        #expect(lease.job.maxAttempts == 2)
        #expect(try await setup.queue.startCall(lease) == .started)
        try await setup.queue.complete(lease, layers: [])
        let done = try #require(try await setup.queue.job(id))
        #expect(done.status == .completed)
        #expect(done.attempts == 1)
        #expect(try await setup.queue.events(of: id, after: 0).contains { $0.message == "Retried by an operator: decoder fixed" })

        // Completed now: not retryable, exit 1 saying so; an unknown id too; a malformed one exit 2.
        let again = try await runDecomposer(["jobs", "retry", id.lowercasedString], environment: setup.environment)
        #expect(again.status == 1)
        #expect(again.standardError.contains("not retryable: it is completed"))
        let unknown = UUID().lowercasedString
        let missing = try await runDecomposer(["jobs", "retry", unknown], environment: setup.environment)
        #expect(missing.status == 1)
        #expect(missing.standardError.contains("job \(unknown): unknown"))
        let malformed = try await runDecomposer(["jobs", "retry", "not-a-uuid"], environment: setup.environment)
        #expect(malformed.status == 2)
    }

    @Test func retryDeadTouchesOnlyTheMatchingOnesAndRefusesAMissingUpload() async throws {
        let setup = try await setUp("retrydead")
        defer { tearDown(setup) }
        let oldInvalid = try await setup.failedJob(invalid, ago: .seconds(3 * 3600))
        let recentInvalid = try await setup.failedJob(invalid, ago: .seconds(60))
        let recentLimited = try await setup.failedJob(limited, ago: .seconds(30))
        let noUpload = try await setup.failedJob(limited, ago: .seconds(20), keepUpload: false)

        let byCode = try await runDecomposer(
            ["jobs", "retry", "--dead", "--error", "invalid_image", "--since", "2h", "--format", "json"], environment: setup.environment)
        #expect(byCode.status == 0, "\(byCode.standardError)")
        #expect(try jsonArray(byCode.standardOutput).map { $0["id"] as? String } == [recentInvalid.lowercasedString])
        #expect(try await setup.queue.job(recentInvalid)?.status == .queued)
        #expect(try await setup.queue.job(oldInvalid)?.status == .failed)
        #expect(try await setup.queue.job(recentLimited)?.status == .failed)

        let rateLimited = try await runDecomposer(["jobs", "retry", "--dead", "--error", "gpu_rate_limited"], environment: setup.environment)
        #expect(rateLimited.status == 1)
        #expect(rateLimited.standardOutput.contains("\(recentLimited.lowercasedString) queued again"))
        #expect(rateLimited.standardOutput.contains("\(noUpload.lowercasedString) refused: its upload"))
        #expect(rateLimited.standardError.contains("no longer exists"))
        #expect(try await setup.queue.job(recentLimited)?.status == .queued)
        #expect(try await setup.queue.job(noUpload)?.status == .failed)
        #expect(try await setup.queue.deadLetters(since: nil, errorCode: nil) == [oldInvalid, noUpload])

        let none = try await runDecomposer(["jobs", "retry", "--dead", "--error", "abandoned"], environment: setup.environment)
        #expect(none.status == 0)
        #expect(none.standardOutput == "no dead letters matched\n")
        let badSince = try await runDecomposer(["jobs", "retry", "--dead", "--since", "two hours"], environment: setup.environment)
        #expect(badSince.status == 2)
        let sinceWithoutDead = try await runDecomposer(["jobs", "retry", oldInvalid.lowercasedString, "--since", "2h"], environment: setup.environment)
        #expect(sinceWithoutDead.status == 2)
        #expect(sinceWithoutDead.standardError.contains("add --dead"))
        let nothing = try await runDecomposer(["jobs", "retry"], environment: setup.environment)
        #expect(nothing.status == 2)
    }

    @Test func listShowsEachStatusNewestFirstAndPurgeRemovesOldDeadLetters() async throws {
        let setup = try await setUp("listcli")
        defer { tearDown(setup) }
        let old = try await setup.failedJob(invalid, ago: .seconds(2 * 86_400))
        let recent = try await setup.failedJob(limited, ago: .seconds(60))
        let queued = try await setup.queue.enqueue(JobRequest(fileID: UUID())).jobID

        let failed = try await runDecomposer(["jobs", "list", "--status", "failed", "--format", "json"], environment: setup.environment)
        #expect(failed.status == 0, "\(failed.standardError)")
        let rows = try jsonArray(failed.standardOutput)
        #expect(rows.map { $0["id"] as? String } == [recent.lowercasedString, old.lowercasedString])
        #expect(rows.map { $0["error_code"] as? String } == ["gpu_rate_limited", "invalid_image"])
        #expect(rows.first?["in_dead_letters"] as? Bool == true)
        let limited = try await runDecomposer(["jobs", "list", "--status", "dead", "--limit", "1", "--format", "json"], environment: setup.environment)
        #expect(try jsonArray(limited.standardOutput).map { $0["id"] as? String } == [recent.lowercasedString])
        let table = try await runDecomposer(["jobs", "list"], environment: setup.environment)
        #expect(table.status == 0)
        let lines = table.standardOutput.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines.first?.hasPrefix("\(queued.lowercasedString) queued") == true)
        #expect(lines.last?.contains("2d") == true)
        #expect(lines.last?.hasSuffix("invalid_image") == true)
        let empty = try await runDecomposer(["jobs", "list", "--status", "completed"], environment: setup.environment)
        #expect(empty.standardOutput == "no jobs\n")
        #expect(try await runDecomposer(["jobs", "list", "--status", "lost"], environment: setup.environment).status == 2)
        #expect(try await runDecomposer(["jobs", "list", "--limit", "0"], environment: setup.environment).status == 2)

        let purged = try await runDecomposer(["jobs", "purge", "--dead", "--older-than", "1d", "--format", "json"], environment: setup.environment)
        #expect(purged.status == 0, "\(purged.standardError)")
        #expect(purged.standardOutput == #"{"purged":1}"# + "\n")
        #expect(try await setup.queue.job(old) == nil)
        #expect(try await setup.queue.job(recent)?.status == .failed)
        #expect(try await runDecomposer(["jobs", "purge"], environment: setup.environment).status == 2)
        #expect(try await runDecomposer(["jobs", "purge", "--dead", "--older-than", "soon"], environment: setup.environment).status == 2)
        let all = try await runDecomposer(["jobs", "purge", "--dead"], environment: setup.environment)
        #expect(all.standardOutput == "Purged 1 dead letter\n")
        #expect(try await setup.queue.counts().dead == 0)
    }
}
