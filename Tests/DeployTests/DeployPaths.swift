import Foundation

/// Where the deployment files are, from this source file's place in the repository.
enum DeployPaths {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let kubernetes = repository.appendingPathComponent("deploy/kubernetes")
    static let base = kubernetes.appendingPathComponent("base")
    static let overlays = ["demo", "gke"].map { kubernetes.appendingPathComponent("overlays/\($0)") }
    static let readme = repository.appendingPathComponent("deploy/README.md")
    static let environmentExample = repository.appendingPathComponent(".env.example")

    /// Every file under deploy/ (manifests, env files, the guide), for text checks.
    static func allDeployFiles() -> [URL] {
        let deploy = repository.appendingPathComponent("deploy")
        let walker = FileManager.default.enumerator(at: deploy, includingPropertiesForKeys: [.isRegularFileKey])
        return (walker?.allObjects as? [URL] ?? []).filter {
            (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true
        }
    }

    static func text(_ url: URL) throws -> String { try String(contentsOf: url, encoding: .utf8) }
}
