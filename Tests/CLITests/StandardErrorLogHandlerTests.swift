import Foundation
import Logging
import Synchronization
import Testing
@testable import decomposer

/// The service's log lines are `StreamLogHandler`'s, word for word (operators' log queries rely on them).
@Suite struct StandardErrorLogHandlerTests {
    final class Lines: TextOutputStream, @unchecked Sendable {
        private let lines = Mutex<[String]>([])
        func write(_ string: String) { lines.withLock { $0.append(string) } }
        var all: [String] { lines.withLock { $0 } }
    }

    struct Failure: Error, CustomStringConvertible { var description: String { "disk full" } }

    /// Everything after the timestamp (the two may straddle a second).
    static func withoutTimestamp(_ line: String) -> Substring { line.drop { $0 != " " } }

    @Test func writesWhatStreamLogHandlerWrites() throws {
        let ours = Lines(), theirs = Lines()
        var mine = Logger(label: "decomposer.api") { label in
            StandardErrorLogHandler(label: label, metadataProvider: nil) { ours.write($0) }
        }
        var reference = Logger(label: "decomposer.api") { label in
            StreamLogHandler(label: label, stream: theirs, metadataProvider: nil)
        }
        mine.logLevel = .debug
        reference.logLevel = .debug
        mine.info("no metadata")
        reference.info("no metadata")
        mine[metadataKey: "job_id"] = "7f"
        reference[metadataKey: "job_id"] = "7f"
        mine[metadataKey: "attempt"] = "2"
        reference[metadataKey: "attempt"] = "2"
        mine.warning("retrying", metadata: ["delay_ms": "400", "job_id": "8a"])
        reference.warning("retrying", metadata: ["delay_ms": "400", "job_id": "8a"])
        mine.debug("below the level")
        reference.debug("below the level")
        mine.trace("not written")
        reference.trace("not written")
        mine.error("failed", error: Failure())
        reference.error("failed", error: Failure())

        #expect(ours.all.count == 4)
        #expect(ours.all.map(Self.withoutTimestamp) == theirs.all.map(Self.withoutTimestamp))
        let line = try #require(ours.all.dropFirst().first)
        #expect(line.hasSuffix(" warning decomposer.api: attempt=2 delay_ms=400 job_id=8a [CLITests] retrying\n"))
        #expect(line.firstIndex(of: " ").map { line[..<$0].count } == "2026-12-06T15:04:05+0000".count)
    }
}
