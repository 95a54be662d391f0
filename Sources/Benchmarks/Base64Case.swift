import ExtrasBase64
import Foundation
import SystemSupport
import VertexClient

/// `base64 [--rounds N]`: decoding a prediction reply's layers — five base64
/// PNG payloads of 1.9 MB, 300, 500, 350 and 120 KB, the sizes a 1024 px
/// poster's layers come back at — straight from the reply's bytes, as
/// `PredictionBodyScanner` does: with `CanonicalBase64` (what the scanner runs:
/// the C decoder's AVX2 loop, and `_portable` its loop for CPUs without AVX2), with
/// swift-extras-base64's `Base64.decode(bytes:)` alone, and with Foundation's
/// `Data(base64Encoded:)` (the general path's), on the same input. MB/s of
/// base64 read, the median of the rounds, decoders taking turns in each round
/// so a busy moment on the machine does not favour one.
func base64Case() throws {
    let rounds = option("--rounds", 9)
    var generator = SeededGenerator(seed: 17)
    let payloadSizes = [1_900_000, 300_000, 500_000, 350_000, 120_000]
    // PNG data is deflate output: as random as bytes get, so random bytes stand in for it.
    let layers = payloadSizes.map { size in (0..<(size / 4 * 3)).map { _ in UInt8(truncatingIfNeeded: generator.next()) } }
    let encoded = layers.map { Array(Data($0).base64EncodedString().utf8) }
    let megabytes = Double(encoded.reduce(0) { $0 + $1.count }) / 1e6

    let decoders: [(String, ([UInt8]) throws -> [UInt8])] = [
        ("canonical", { text in text.withUnsafeBufferPointer { CanonicalBase64.decode($0) } ?? [] }),
        ("canonical_portable", { text in text.withUnsafeBufferPointer { CanonicalBase64.decode($0, vectorPath: false) } ?? [] }),
        ("extras", { text in try text.withUnsafeBufferPointer { try Base64.decode(bytes: $0) } }),
        ("foundation", { text in Data(base64Encoded: Data(text)).map { [UInt8]($0) } ?? [] }),
    ]
    for (name, decode) in decoders {
        guard try encoded.map(decode) == layers else {
            print("base64: the \(name) decoder does not give the layers back")
            exit(1)
        }
    }
    report("base64_reply_size", megabytes, "MB")
    var throughput: [String: [Double]] = [:]
    for _ in 0..<rounds {
        for (name, decode) in decoders {
            let ms = try time(3) { try encoded.map(decode) }
            throughput[name, default: []].append(megabytes / (ms / 1000))
        }
    }
    for (name, _) in decoders {
        report("base64_decode_\(name)", median(throughput[name] ?? []), "MB/s")
    }
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return 0 }
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}
