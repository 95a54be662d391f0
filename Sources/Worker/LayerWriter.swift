import DecomposerCore
import Foundation

/// Writes a job's layer PNGs as `RESULTS_DIR/{job_id}/layer_{i}.png`, each
/// atomically (temp file, then rename), with exactly the bytes validated. A
/// second delivery of the same job overwrites cleanly.
public struct LayerWriter: Sendable {
    public let resultsDirectory: URL

    public init(resultsDirectory: URL) { self.resultsDirectory = resultsDirectory }

    /// A layer ready to store.
    public struct Layer: Sendable {
        public let png: [UInt8]
        public let width: Int
        public let height: Int

        public init(png: [UInt8], width: Int, height: Int) {
            self.png = png
            self.width = width
            self.height = height
        }
    }

    public func write(_ layers: [Layer], for jobID: UUID) async throws -> [LayerResult] {
        let folder = resultsDirectory.appendingPathComponent(jobID.uuidString.lowercased())
        return try await BlockingIO.run {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            return try layers.enumerated().map { index, layer in
                let name = "layer_\(index).png"
                let destination = folder.appendingPathComponent(name)
                let temporary = folder.appendingPathComponent(".\(name).\(UUID().uuidString).tmp")
                do {
                    try Data(layer.png).write(to: temporary)
                    guard rename(temporary.path, destination.path) == 0 else {
                        throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: destination.path])
                    }
                } catch {
                    try? FileManager.default.removeItem(at: temporary)
                    throw error
                }
                return LayerResult(
                    index: index, filename: name, url: "/results/\(jobID.uuidString.lowercased())/\(name)",
                    sizeKB: (Double(layer.png.count) / 1024 * 10).rounded() / 10, width: layer.width, height: layer.height)
            }
        }
    }
}
