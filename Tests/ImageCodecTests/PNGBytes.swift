import ImageCodec

/// Hand-built PNG files, to craft headers and damage that no encoder would
/// produce (a 100000×100000 IHDR, a CRC that no longer matches its data).
enum PNGBytes {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// CRC-32 as PNG uses it (reflected, polynomial 0xEDB88320).
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ (crc & 1 == 1 ? 0xEDB8_8320 : 0) }
        }
        return ~crc
    }

    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in bytes {
            a = (a + UInt32(byte)) % 65521
            b = (b + a) % 65521
        }
        return b << 16 | a
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    /// length, type, data, CRC over type+data — or over `crcData` instead of
    /// `data`, to make a chunk whose CRC is stale.
    static func chunk(_ type: String, _ data: [UInt8], crcData: [UInt8]? = nil) -> [UInt8] {
        let typeBytes = Array(type.utf8)
        return bigEndian(UInt32(data.count)) + typeBytes + data
            + bigEndian(crc32(typeBytes + (crcData ?? data)))
    }

    /// IHDR for 8-bit RGBA (colour type 6), no interlace.
    static func ihdr(width: UInt32, height: UInt32) -> [UInt8] {
        chunk("IHDR", bigEndian(width) + bigEndian(height) + [8, 6, 0, 0, 0])
    }

    /// A zlib stream of stored (uncompressed) deflate blocks: every pixel byte
    /// appears verbatim, so flipping one is invisible to zlib's structure.
    static func storedZlib(_ raw: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var start = 0
        repeat {
            let end = min(start + 65535, raw.count)
            let length = UInt16(end - start)
            out.append(end == raw.count ? 1 : 0)  // BFINAL, BTYPE = stored
            out += [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8(~length >> 8)]
            out += raw[start..<end]
            start = end
        } while start < raw.count
        return out + bigEndian(adler32(raw))
    }

    /// Scanlines with filter type 0 (None) in front of each row.
    static func scanlines(_ image: RasterImage) -> [UInt8] {
        var raw = [UInt8]()
        for y in 0..<image.height {
            raw.append(0)
            raw += image.pixels[(y * image.width * 4)..<((y + 1) * image.width * 4)]
        }
        return raw
    }

    /// A complete, valid, uncompressed RGBA PNG of `image`.
    static func uncompressed(_ image: RasterImage) -> [UInt8] {
        let idat = storedZlib(scanlines(image))
        return signature + ihdr(width: UInt32(image.width), height: UInt32(image.height))
            + chunk("IDAT", idat) + chunk("IEND", [])
    }

    /// Where the data of the first chunk of `type` starts, and its length.
    static func find(_ type: String, in png: [UInt8]) -> (dataStart: Int, length: Int)? {
        var offset = 8
        while offset + 8 <= png.count {
            let length = Int(png[offset]) << 24 | Int(png[offset + 1]) << 16 | Int(png[offset + 2]) << 8
                | Int(png[offset + 3])
            if String(decoding: png[(offset + 4)..<(offset + 8)], as: UTF8.self) == type {
                return (offset + 8, length)
            }
            offset += 12 + length
        }
        return nil
    }
}
