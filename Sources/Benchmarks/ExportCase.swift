import Exports
import Foundation
import ImageCodec

/// `export-layers --dir DIR [--layers 10 --side 2048]`: writes a job's worth of layer PNGs (layer 0
/// an opaque noisy background, each other one an opaque noisy band over transparency, like a
/// model's text or subject layer), so `export` measures only the build.
func exportLayersCase() throws {
    guard let directory = stringOption("--dir") else {
        print("export-layers needs --dir DIR")
        exit(2)
    }
    let layers = option("--layers", 10), side = option("--side", 2048)
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    var generator = SystemRandomNumberGenerator()
    var total = 0
    for index in 0..<layers {
        var pixels = [UInt8](repeating: 0, count: side * side * 4)
        let band = index == 0 ? 0..<side : (index * side / (layers + 1))..<((index + 2) * side / (layers + 1))
        for y in band {
            for x in 0..<side {
                let offset = (y * side + x) * 4
                let noise = UInt8.random(in: 0...15, using: &generator)
                pixels[offset] = UInt8(truncatingIfNeeded: x / 8 + index * 20) &+ noise
                pixels[offset + 1] = UInt8(truncatingIfNeeded: y / 8) &+ noise
                pixels[offset + 2] = UInt8(truncatingIfNeeded: index * 40) &+ noise
                pixels[offset + 3] = 255
            }
        }
        let png = try ImageEncoder.png(RasterImage(width: side, height: side, pixels: pixels))
        total += png.count
        try Data(png).write(to: URL(fileURLWithPath: "\(directory)/layer_\(index).png"))
    }
    report("export_input_\(layers)x\(side)_png", Double(total) / 1_048_576, "MiB")
}

/// `export --format zip|pptx|psd --dir DIR [--layers 10]`: one export build from the layer files in
/// DIR (as the API runs it for a first request), its time and the process's peak RSS, which is
/// what the writers' streaming bounds (the layers' size is in `export_input_*`).
func exportCase() throws {
    guard let directory = stringOption("--dir"), let format = stringOption("--format").flatMap(ExportFormat.init(rawValue:)) else {
        print("export needs --dir DIR and --format zip|pptx|psd")
        exit(2)
    }
    let writer = ExportWriters.writer(for: format)
    let layers = option("--layers", 10)
    let source = ExportSource(
        jobID: UUID(), layers: (0..<layers).map { ExportLayer(index: $0, name: "Layer \($0)", path: "\(directory)/layer_\($0).png") })
    let output = "\(directory)/export.\(format.fileExtension)"
    let before = peakRSSMiB()
    let started = ContinuousClock.now
    try writer.write(source, to: output)
    let elapsed = (ContinuousClock.now - started) / .milliseconds(1)
    let size = (try FileManager.default.attributesOfItem(atPath: output)[.size] as? Int) ?? 0
    try FileManager.default.removeItem(atPath: output)
    report("export_\(format.rawValue)_\(layers)_layers_build", elapsed, "ms")
    report("export_\(format.rawValue)_size", Double(size) / 1_048_576, "MiB")
    report("export_\(format.rawValue)_rss_before", before, "MiB")
    report("export_\(format.rawValue)_peak_rss", peakRSSMiB(), "MiB")
}
