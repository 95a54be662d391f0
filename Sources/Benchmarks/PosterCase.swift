import Foundation
import ImageCodec
import LocalEndpoint
import SystemSupport

/// `poster --megabytes N --out PATH`: writes a photo-like JPEG of about N MB
/// (noise over the poster pattern, so it compresses like a photograph) for the
/// upload benchmark.
func posterCase() throws {
    let target = option("--megabytes", 5) * 1_000_000
    guard let index = arguments.firstIndex(of: "--out"), index + 1 < arguments.count else {
        print("poster needs --out PATH")
        exit(2)
    }
    var side = 1600
    var bytes: [UInt8] = []
    var generator = SeededGenerator(seed: 7)
    while true {
        let base = poster(width: side, height: side * 4 / 3, alpha: false)
        var pixels = base.pixels
        for i in stride(from: 0, to: pixels.count, by: 4) {
            let noise = UInt8(truncatingIfNeeded: generator.next())
            pixels[i] = pixels[i] &+ noise % 64
            pixels[i + 1] = pixels[i + 1] &+ (noise >> 2) % 64
        }
        bytes = try ImageEncoder.jpeg(RasterImage(width: base.width, height: base.height, pixels: pixels), quality: 95)
        if bytes.count >= target || side >= 8000 { break }
        side = Int(Double(side) * (Double(target) / Double(bytes.count)).squareRoot() * 1.05)
    }
    try Data(bytes).write(to: URL(fileURLWithPath: arguments[index + 1]))
    report("poster_bytes", Double(bytes.count) / 1_000_000, "MB")
}
