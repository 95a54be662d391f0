@testable import CloudStorage
import Testing

/// Known answers: RFC 3720 (iSCSI) appendix B.4, the usual "123456789" check value, and Cloud
/// Storage's own answer for "hello world".
@Suite struct CRC32CTests {
    @Test func rfc3720Vectors() {
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        #expect(CRC32C.checksum((0..<32).reversed().map { UInt8($0) }) == 0x113F_DB5C)
        let readCommand: [UInt8] = [
            0x01, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18,
            0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        ]
        #expect(CRC32C.checksum(readCommand) == 0xD996_3A56)
    }

    @Test func checkValueAndCloudStorageEncoding() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8]()) == 0)
        let helloWorld = CRC32C.checksum(Array("hello world".utf8))
        #expect(CRC32C.base64(helloWorld) == "yZRlqg==")
        #expect(CRC32C.parseBase64("yZRlqg==") == helloWorld)
        #expect(CRC32C.parseBase64("not base64!") == nil)
        #expect(CRC32C.parseBase64("AAAAAAA=") == nil, "five bytes are not a CRC-32C")
    }

    /// The eight-bytes-a-step path and the byte-at-a-time tail agree wherever a buffer is split.
    @Test func incrementalUpdatesMatchOneShot() {
        let bytes = (0..<1037).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
        let whole = CRC32C.checksum(bytes)
        for split in [0, 1, 7, 8, 9, 513, 1036, 1037] {
            var crc = CRC32C()
            crc.update(bytes[..<split])
            crc.update(bytes[split...])
            #expect(crc.value == whole, "split at \(split)")
        }
        var bytewise = CRC32C()
        for byte in bytes { bytewise.update([byte]) }
        #expect(bytewise.value == whole)
    }
}
