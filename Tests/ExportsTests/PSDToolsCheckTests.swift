import Foundation
import Testing
import TestSupport

@testable import Exports

/// The writer's file read by an independent reader: `scripts/psd-check.py` with psd-tools (PyPI),
/// run by `scripts/psd-test.sh`, which makes the venv and names its Python in `PSD_TOOLS_PYTHON`.
/// Without that variable (a plain `swift test`) the test is skipped: the script is where it runs.
@Suite struct PSDToolsCheckTests {
    static let python = ProcessInfo.processInfo.environment["PSD_TOOLS_PYTHON"] ?? ""

    @Test(.enabled(if: !python.isEmpty, "psd-tools check: run by scripts/psd-test.sh (sets PSD_TOOLS_PYTHON)"))
    func psdToolsReadsLayersAndComposite() async throws {
        for (width, height, count) in [(64, 48, 5), (333, 7, 3)] {
            let names = (0..<count).map { $0 == count - 1 ? "Überschrift \($0)" : "Layer \($0)" }
            let fixtures = try PSDLayerFixtures(width: width, height: height, count: count, names: names)
            defer { fixtures.remove() }
            let psd = fixtures.folder.appendingPathComponent("check.psd").path
            try PSDWriter().write(fixtures.source, to: psd)
            var arguments = [Self.scriptPath(), psd]
            for layer in fixtures.source.layers { arguments += ["--layer", layer.name, layer.path] }
            let result = try await runCapturingOutput(URL(fileURLWithPath: Self.python), arguments)
            #expect(result.status == 0, "psd-check.py: \(result.standardOutput)\(result.standardError)")
            #expect(result.standardOutput.contains("psd-check: ok"))
            try Self.keep(fixtures, psd: psd)
        }
    }

    /// Copies the PSD and its PNGs into `PSD_TEST_OUTPUT` (when set), to look at or open elsewhere.
    static func keep(_ fixtures: PSDLayerFixtures, psd: String) throws {
        guard let output = ProcessInfo.processInfo.environment["PSD_TEST_OUTPUT"], !output.isEmpty else { return }
        let folder = URL(fileURLWithPath: output).appendingPathComponent(fixtures.folder.lastPathComponent)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for path in [psd] + fixtures.source.layers.map(\.path) {
            let url = URL(fileURLWithPath: path)
            try FileManager.default.copyItem(at: url, to: folder.appendingPathComponent(url.lastPathComponent))
        }
    }

    /// scripts/psd-check.py, found from this source file's place in the repository.
    static func scriptPath() -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/psd-check.py").path
    }
}
