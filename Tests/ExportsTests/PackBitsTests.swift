import SystemSupport
import Testing

@testable import Exports

@Suite struct PackBitsTests {
    private func roundTrip(_ row: [UInt8]) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: PackBits.maximumEncodedCount(row.count))
        let count = row.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { PackBits.encode(source, into: $0) }
        }
        #expect(count <= PackBits.maximumEncodedCount(row.count))
        let encoded = Array(output.prefix(count))
        #expect(try unpackBits(encoded) == row)
        return encoded
    }

    @Test func edgeCases() throws {
        #expect(try roundTrip([]) == [])
        #expect(try roundTrip([7]) == [0, 7])
        #expect(try roundTrip([7, 7]) == [1, 7, 7])
        #expect(try roundTrip([7, 7, 7]) == [0xFE, 7])
        // 300 equal bytes: runs of 128, 128 and 44.
        #expect(try roundTrip([UInt8](repeating: 9, count: 300)) == [0x81, 9, 0x81, 9, 0xD5, 9])
        // A literal longer than 128 is split.
        let literal = (0..<200).map { UInt8($0 % 251) }
        let encoded = try roundTrip(literal)
        #expect(encoded.count == 202 && encoded[0] == 127 && encoded[129] == 71)
        // A literal ends where a run of three begins; pairs stay inside it.
        #expect(try roundTrip([1, 2, 2, 3, 4, 4, 4, 4]) == [3, 1, 2, 2, 3, 0xFD, 4])
    }

    @Test func randomRowsRoundTrip() throws {
        var generator = SeededGenerator(seed: 21)
        for _ in 0..<200 {
            let count = Int.random(in: 0...700, using: &generator)
            let alphabet = UInt8.random(in: 1...255, using: &generator)
            let row = (0..<count).map { _ in UInt8.random(in: 0...alphabet, using: &generator) / max(alphabet / 3, 1) }
            _ = try roundTrip(row)
        }
        // The worst case: no byte equals its neighbour.
        let worst = (0..<1000).map { UInt8($0 % 2) }
        #expect(try roundTrip(worst).count == PackBits.maximumEncodedCount(1000))
    }
}
