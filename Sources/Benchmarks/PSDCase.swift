import Exports
import Foundation
import ImageCodec

/// `psd [--side 2048 --layers 10]`: building the PSD export of `layers` RGBA layers of side × side
/// (an opaque poster-like background, then layers with opaque blocks, soft-edged discs and
/// transparency), from PNG files as a completed job has them. Reports the build time, the file's
/// size and the peak RSS while building (VmHWM, reset after the PNGs are made through
/// /proc/self/clear_refs), which `PSDWriter` bounds by one layer: decoded pixels (side²·4) and the
/// composite's accumulation (side²·8), whatever the layer count.
func psdCase() throws {
    let side = option("--side", 2048)
    let count = option("--layers", 10)
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("psd-bench-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    var layers: [ExportLayer] = []
    for index in 0..<count {
        let image = index == 0 ? poster(width: side, height: side, alpha: false) : psdBenchLayer(side: side, index: index)
        let path = folder.appendingPathComponent("layer_\(index).png").path
        try Data(ImageEncoder.png(image)).write(to: URL(fileURLWithPath: path))
        layers.append(ExportLayer(index: index, name: "Layer \(index)", path: path))
    }
    // The PNGs were made in this process: forget that peak, keep the writer's.
    try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
    let rssBefore = peakRSSMiB()
    let output = folder.appendingPathComponent("export.psd").path
    let start = ContinuousClock.now
    try PSDWriter().write(ExportSource(jobID: UUID(), layers: layers), to: output)
    let seconds = (ContinuousClock.now - start) / .seconds(1)
    let size = (try FileManager.default.attributesOfItem(atPath: output)[.size] as? Int) ?? 0
    report("psd_\(count)x\(side)_build", seconds * 1000, "ms")
    report("psd_\(count)x\(side)_file", Double(size) / 1_048_576, "MiB")
    report("psd_\(count)x\(side)_rss_before", rssBefore, "MiB")
    report("psd_\(count)x\(side)_peak_rss", peakRSSMiB(), "MiB")
}

/// Opaque blocks and a soft-edged disc of the layer's colour, transparent elsewhere.
private func psdBenchLayer(side: Int, index: Int) -> RasterImage {
    var pixels = [UInt8](repeating: 0, count: side * side * 4)
    let centre = Double(side) * (0.2 + 0.06 * Double(index))
    let radius = Double(side) / 6
    for y in 0..<side {
        for x in 0..<side {
            let i = (y * side + x) * 4
            let distance = ((Double(x) - centre) * (Double(x) - centre) + (Double(y) - centre) * (Double(y) - centre))
                .squareRoot()
            let disc = max(0, min(1, (radius - distance) / 8))
            let block = (x / 64 + y / 64 + index) % 7 == 0 && y > side / 2
            let alpha = block ? 255 : UInt8(disc * 255)
            pixels[i] = UInt8((index * 53) % 256)
            pixels[i + 1] = UInt8((x * 255) / side)
            pixels[i + 2] = UInt8(255 - (index * 29) % 256)
            pixels[i + 3] = alpha
        }
    }
    return RasterImage(width: side, height: side, pixels: pixels)
}
