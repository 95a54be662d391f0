import Foundation

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum Cloud Storage keeps for every
/// object and reports as `crc32c` (base64 of the big-endian value) and in `x-goog-hash`.
///
/// Written here because nothing the project can link offers it: swift-crypto has no CRC, zlib's
/// `crc32` uses the IEEE polynomial, and Debian ships no C library for it. Slicing-by-8 (eight
/// 256-entry tables, eight bytes per step) keeps a multi-megabyte layer to milliseconds.
public struct CRC32C: Sendable, Equatable {
    /// The running register (inverted, as the algorithm keeps it).
    private var state: UInt32 = 0xFFFF_FFFF

    public init() {}

    /// The checksum of `bytes` in one call.
    public static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var crc = CRC32C()
        crc.update(bytes)
        return crc.value
    }

    /// The checksum of everything given so far.
    public var value: UInt32 { ~state }

    public mutating func update(_ bytes: some Sequence<UInt8>) {
        let handled: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        if handled == nil { update(Array(bytes)) }
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var crc = state
        var index = 0
        let count = bytes.count
        Self.tables.withUnsafeBufferPointer { table in
            while count - index >= 8 {
                let low = crc ^ (UInt32(bytes[index]) | UInt32(bytes[index + 1]) << 8
                    | UInt32(bytes[index + 2]) << 16 | UInt32(bytes[index + 3]) << 24)
                crc = table[7 * 256 + Int(low & 0xFF)] ^ table[6 * 256 + Int((low >> 8) & 0xFF)]
                    ^ table[5 * 256 + Int((low >> 16) & 0xFF)] ^ table[4 * 256 + Int(low >> 24)]
                    ^ table[3 * 256 + Int(bytes[index + 4])] ^ table[2 * 256 + Int(bytes[index + 5])]
                    ^ table[1 * 256 + Int(bytes[index + 6])] ^ table[Int(bytes[index + 7])]
                index += 8
            }
            while index < count {
                crc = table[Int((crc ^ UInt32(bytes[index])) & 0xFF)] ^ (crc >> 8)
                index += 1
            }
        }
        state = crc
    }

    /// The value as Cloud Storage writes it: base64 of its four big-endian bytes.
    public static func base64(_ value: UInt32) -> String {
        let bytes = [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
        return Data(bytes).base64EncodedString()
    }

    /// Reads Cloud Storage's base64 form; nil when it is not four bytes of base64.
    public static func parseBase64(_ text: String) -> UInt32? {
        guard let bytes = Data(base64Encoded: text), bytes.count == 4 else { return nil }
        return bytes.reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// Table `k` maps a byte to its contribution `k` bytes further on (slicing-by-8).
    private static let tables: [UInt32] = {
        var tables = [UInt32](repeating: 0, count: 8 * 256)
        for byte in 0..<256 {
            var crc = UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
            tables[byte] = crc
        }
        for slice in 1..<8 {
            for byte in 0..<256 {
                let previous = tables[(slice - 1) * 256 + byte]
                tables[slice * 256 + byte] = tables[Int(previous & 0xFF)] ^ (previous >> 8)
            }
        }
        return tables
    }()
}
