import Foundation

/// The built `decomposer` executable, for tests that run it as a process:
/// beside the test bundle in the build folder, else `.build/debug`.
public func decomposerBinary() -> URL {
    let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        .appendingPathComponent("decomposer")
    if FileManager.default.fileExists(atPath: besideTests.path) { return besideTests }
    return URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".build/debug/decomposer")
}
