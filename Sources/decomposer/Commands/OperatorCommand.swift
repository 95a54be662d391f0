import ArgumentParser
import DecomposerCore
import Foundation

/// The shared frame of the operator commands (`queue …`, `jobs …`): configuration errors exit 2 (from
/// `ServiceEnvironment.load`), Redis unreachable or an operation refused exit 1 with one line on
/// standard error, and the result prints as text or as JSON (`--format json`: one object, or one
/// array for a listing).
enum OperatorCommand {
    static func run(
        label: String, format: OperatorOutputFormat,
        _ body: (JobQueue) async throws -> (json: Any, text: String)
    ) async throws {
        try await run(environment: label, format: format) { environment in try await body(environment.queue) }
    }

    /// As `run(label:format:_:)`, for a command that needs more of the environment than the queue
    /// (the storage, to check an upload).
    static func run(
        environment label: String, format: OperatorOutputFormat,
        _ body: (ServiceEnvironment) async throws -> (json: Any, text: String)
    ) async throws {
        let environment = try ServiceEnvironment.load(label: label)
        defer { environment.redis.shutdown() }
        try await environment.requireRedis()
        let result: (json: Any, text: String)
        do {
            result = try await body(environment)
        } catch let error as ExitCode {
            throw error
        } catch let refusal as OperatorRefusal {
            // A refusal that comes with a result (some of several jobs refused) prints it first.
            if let output = refusal.output { print(format == .json ? output.json : output.text) }
            FileHandle.standardError.write(Data("decomposer: \(label): \(refusal)\n".utf8))
            throw ExitCode(1)
        } catch {
            FileHandle.standardError.write(Data("decomposer: \(label): \(error)\n".utf8))
            throw ExitCode(1)
        }
        switch format {
        case .table: print(result.text)
        case .json: print(try jsonText(result.json))
        }
    }

    /// One line of JSON, keys sorted.
    static func jsonText(_ value: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]), as: UTF8.self)
    }
}

/// A refusal an operator command reports on one line, exit 1 (an unknown job id, a job that
/// cannot be acted on); `output`, when set, is the result printed before it (both renderings, as
/// text and as JSON).
struct OperatorRefusal: Error, CustomStringConvertible {
    let description: String
    var output: (text: String, json: String)? = nil

    static func unknownJob(_ id: UUID) -> OperatorRefusal {
        OperatorRefusal(description: "no job \(id.lowercasedString) (unknown, or expired after its retention)")
    }
}
