import ArgumentParser
import DecomposerCore
import Foundation

/// The shared frame of the operator commands (`queue …`): configuration errors exit 2 (from
/// `ServiceEnvironment.load`), Redis unreachable or an operation refused exit 1 with one line on
/// standard error, and the result prints as text or as one JSON object (`--format json`).
enum OperatorCommand {
    static func run(
        label: String, format: OperatorOutputFormat,
        _ body: (JobQueue) async throws -> (json: [String: Any], text: String)
    ) async throws {
        let environment = try ServiceEnvironment.load(label: label)
        defer { environment.redis.shutdown() }
        try await environment.requireRedis()
        let result: (json: [String: Any], text: String)
        do {
            result = try await body(environment.queue)
        } catch let error as ExitCode {
            throw error
        } catch {
            FileHandle.standardError.write(Data("decomposer: \(label): \(error)\n".utf8))
            throw ExitCode(1)
        }
        switch format {
        case .table:
            print(result.text)
        case .json:
            let data = try JSONSerialization.data(withJSONObject: result.json, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        }
    }
}

/// A refusal an operator command reports on one line, exit 1 (an unknown job id, a job that
/// cannot be acted on).
struct OperatorRefusal: Error, CustomStringConvertible {
    let description: String

    static func unknownJob(_ id: UUID) -> OperatorRefusal {
        OperatorRefusal(description: "no job \(id.lowercasedString) (unknown, or expired after its retention)")
    }
}
