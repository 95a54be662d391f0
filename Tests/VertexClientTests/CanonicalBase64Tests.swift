import ExtrasBase64
import Foundation
import SystemSupport
import Testing

@testable import VertexClient

/// The C decoder (its AVX2 loop and its portable loop) against what it replaced: swift-extras-base64
/// followed by the check that the last quad is what an encoder writes.
@Suite struct CanonicalBase64Tests {
    /// The former `CanonicalBase64`, kept as the reference the C decoder must agree with.
    static func reference(_ text: [UInt8]) -> [UInt8]? {
        guard text.count > 0, text.count % 4 == 0, let decoded = try? Base64.decode(bytes: text) else { return nil }
        let tail = decoded.suffix(decoded.count % 3 == 0 ? 3 : decoded.count % 3)
        guard !tail.isEmpty, Base64.encodeToBytes(bytes: tail).elementsEqual(text.suffix(4)) else { return nil }
        return decoded
    }

    static func decode(_ text: [UInt8], vectorPath: Bool) -> [UInt8]? {
        text.withUnsafeBufferPointer { CanonicalBase64.decode($0, vectorPath: vectorPath) }
    }

    static func encoded(_ bytes: [UInt8]) -> [UInt8] { Array(Data(bytes).base64EncodedString().utf8) }

    @Test(arguments: [true, false]) func everyLengthIsDecodedExactly(vectorPath: Bool) {
        var generator = SeededGenerator(seed: 3)
        // Lengths around each block of the vector loop (32 characters, 24 bytes) and its stopping point.
        for length in Array(0..<260) + [1_000, 4_095, 4_096, 65_537, 300_001] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            #expect(Self.decode(Self.encoded(bytes), vectorPath: vectorPath) == (length == 0 ? nil : bytes), "\(length)")
        }
    }

    @Test(arguments: [true, false]) func nonCanonicalTextIsRefused(vectorPath: Bool) {
        for bad in ["", "aGk", "aG=k", "a===", "aGk!", "aGl=", "aR==", "====", "aGk=aGk=", "aG==", "=aGk", "aGk=\n", " aGk"] {
            #expect(Self.decode(Array(bad.utf8), vectorPath: vectorPath) == nil, "\(bad)")
        }
    }

    /// Every byte value at positions in the vector loop's blocks, in the portable tail and in the
    /// final quad: both loops give the reference's answer (the bytes, or nil).
    @Test func everyByteAtEveryKindOfPositionAgreesWithTheReference() {
        var generator = SeededGenerator(seed: 11)
        var checked = 0
        for length in [1, 2, 3, 33, 34, 35, 36, 60, 100, 101, 102, 200] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let text = Self.encoded(bytes)
            var positions = Set([0, text.count - 1, text.count - 2, text.count - 3, text.count - 4])
            for _ in 0..<12 { positions.insert(Int.random(in: 0..<text.count, using: &generator)) }
            for position in positions where position >= 0 {
                for value in UInt8.min...UInt8.max {
                    var changed = text
                    changed[position] = value
                    let expected = Self.reference(changed)
                    #expect(Self.decode(changed, vectorPath: true) == expected, "\(length) bytes, [\(position)] = \(value)")
                    #expect(Self.decode(changed, vectorPath: false) == expected, "\(length) bytes, [\(position)] = \(value)")
                    checked += 1
                }
            }
        }
        #expect(checked > 30_000)
    }

    /// A byte outside the alphabet deep inside a long text (where the vector loop runs) is refused,
    /// whichever of the 32 places in its block it takes.
    @Test func aBadByteInsideAVectorBlockIsRefused() {
        var generator = SeededGenerator(seed: 5)
        let text = Self.encoded((0..<3_000).map { _ in UInt8.random(in: 0...255, using: &generator) })
        for position in 320..<352 {
            for bad in [UInt8(ascii: "="), UInt8(ascii: "-"), UInt8(ascii: "_"), 0, 0x80, 0xFF, UInt8(ascii: " ")] {
                var changed = text
                changed[position] = bad
                #expect(Self.decode(changed, vectorPath: true) == nil, "[\(position)] = \(bad)")
            }
        }
    }
}
