import Foundation
import TestSupport

/// `kubectl` with kustomize v5 or later (the manifests use `labels` and `replacements`), when this
/// machine has it: Debian's kubernetes-client (1.20, kustomize v2) is too old to render them.
enum Kubectl {
    static func find() async -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent("kubectl")
            guard FileManager.default.isExecutableFile(atPath: candidate.path) else { continue }
            guard let version = try? await run(candidate, ["version", "--client"]),
                let major = kustomizeMajorVersion(version.standardOutput), major >= 5
            else { return nil }
            return candidate
        }
        return nil
    }

    /// `kubectl kustomize DIRECTORY`.
    static func kustomize(_ kubectl: URL, _ directory: URL) async throws -> ProcessResult {
        try await run(kubectl, ["kustomize", directory.path])
    }

    /// "Kustomize Version: v5.5.0" → 5.
    static func kustomizeMajorVersion(_ output: String) -> Int? {
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("Kustomize Version: v") }) else {
            return nil
        }
        return Int(line.dropFirst("Kustomize Version: v".count).prefix { $0.isNumber })
    }

    /// Every process a test starts gets GCE_METADATA_HOST on a closed port, so nothing reaches a
    /// metadata server.
    private static func run(_ kubectl: URL, _ arguments: [String]) async throws -> ProcessResult {
        let closed = try ClosedLoopbackPort()
        var environment = ProcessInfo.processInfo.environment
        environment["GCE_METADATA_HOST"] = "127.0.0.1:\(closed.port)"
        let result = try await runCapturingOutput(kubectl, arguments, environment: environment)
        withExtendedLifetime(closed) {}
        return result
    }
}
