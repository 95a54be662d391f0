import Foundation

extension UUID {
    /// The id as the API, Redis keys and file names spell it: lowercase. Written from the bytes
    /// with a digit table: `uuidString` (snprintf) then `lowercased()` was 6 % of the API's CPU
    /// per enqueue, which spells a job id three times.
    public var lowercasedString: String {
        withUnsafeBytes(of: uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { text in
                var index = 0
                for (position, byte) in bytes.enumerated() {
                    if position == 4 || position == 6 || position == 8 || position == 10 {
                        text[index] = UInt8(ascii: "-")
                        index += 1
                    }
                    text[index] = Self.lowercaseHexDigits[Int(byte >> 4)]
                    text[index + 1] = Self.lowercaseHexDigits[Int(byte & 0x0F)]
                    index += 2
                }
                return index
            }
        }
    }

    /// The id spelt `text`: exactly 8-4-4-4-12 hex digits in either case, what `UUID(uuidString:)`
    /// accepts, without the `sscanf` behind it (an enqueue reads two ids: the upload's and the new job's).
    public init?(spelling text: some StringProtocol) {
        let parsed = text.utf8.withContiguousStorageIfAvailable(Self.parse) ?? Array(text.utf8).withUnsafeBufferPointer(Self.parse)
        guard let parsed else { return nil }
        self.init(uuid: parsed)
    }

    private static func parse(_ text: UnsafeBufferPointer<UInt8>) -> uuid_t? {
        guard text.count == 36 else { return nil }
        var uuid: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let read = withUnsafeMutableBytes(of: &uuid) { bytes in
            var index = 0
            for position in 0..<16 {
                if position == 4 || position == 6 || position == 8 || position == 10 {
                    guard text[index] == UInt8(ascii: "-") else { return false }
                    index += 1
                }
                let high = hexValues[Int(text[index])], low = hexValues[Int(text[index + 1])]
                guard high < 16, low < 16 else { return false }
                bytes[position] = high << 4 | low
                index += 2
            }
            return true
        }
        return read ? uuid : nil
    }

    private static let lowercaseHexDigits: [UInt8] = Array("0123456789abcdef".utf8)
    /// Each byte's value as a hex digit, 0xFF for any other byte.
    private static let hexValues: [UInt8] = (0...255).map { byte in
        switch UInt8(byte) {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt8(byte) - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt8(byte) - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt8(byte) - UInt8(ascii: "A") + 10
        default: 0xFF
        }
    }
}
