import DecomposerCore
import Foundation

/// The configuration keys the code reads, as `.env.example` documents them (every key with its
/// default; optional ones as commented-out `# KEY=value` lines).
enum ConfigurationKeys {
    static func documented() throws -> Set<String> {
        var keys = Set<String>()
        for line in try DeployPaths.text(DeployPaths.environmentExample).split(separator: "\n") {
            var body = line.trimmingCharacters(in: .whitespaces)
            if body.hasPrefix("#") { body = body.dropFirst().trimmingCharacters(in: .whitespaces) }
            guard let equals = body.firstIndex(of: "=") else { continue }
            let key = body[..<equals]
            if let first = key.first, first.isUppercase, key.allSatisfy({ $0.isUppercase || $0.isNumber || $0 == "_" }) {
                keys.insert(String(key))
            }
        }
        return keys
    }

    /// The keys of an env file (a kustomize generator's `envs`), in the same syntax `.env` uses.
    static func keys(ofEnvironmentFile url: URL) throws -> [String] {
        EnvironmentFile.parse(try DeployPaths.text(url)).keys.sorted()
    }
}
