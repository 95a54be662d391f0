/// One layer record of a PSD's layer info (Adobe Photoshop File Formats Specification, "Layer records"):
/// a full-canvas pixel layer with four channels (transparency -1, then red 0, green 1, blue 2), blend
/// mode `norm`, opacity 255, visible, no mask, and its name twice — as a Pascal string (MacRoman;
/// non-ASCII characters become `?`) and as the Unicode name (`luni`), which readers prefer, so any
/// name survives.
struct PSDLayerRecord {
    /// The channels every layer has, in the order their data is written.
    static let channelIDs: [Int16] = [-1, 0, 1, 2]

    let name: String
    let width: Int
    let height: Int

    /// Writes the record with zero channel data lengths and returns where each length (4 bytes,
    /// in `channelIDs` order) is, to be patched once the channel's data is written.
    func write(to file: BigEndianFileWriter) throws -> [Int] {
        try file.write(Int32(0))  // top
        try file.write(Int32(0))  // left
        try file.write(Int32(height))  // bottom
        try file.write(Int32(width))  // right
        try file.write(UInt16(Self.channelIDs.count))
        var lengthOffsets: [Int] = []
        for id in Self.channelIDs {
            try file.write(id)
            lengthOffsets.append(try file.reserve(4))
        }
        try file.write(signature: "8BIM")
        try file.write(signature: "norm")
        try file.write(UInt8(255))  // opacity
        try file.write(UInt8(0))  // clipping: base
        try file.write(UInt8(0))  // flags: bit 1 clear = visible; transparency not locked
        try file.write(UInt8(0))  // filler
        let extra = extraData()
        try file.write(UInt32(extra.count))
        try file.write(extra)
        return lengthOffsets
    }

    /// Mask data (none), blending ranges (none), the Pascal name and the `luni` block.
    private func extraData() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.append(contentsOf: [0, 0, 0, 0])  // layer mask data: length 0
        bytes.append(contentsOf: [0, 0, 0, 0])  // layer blending ranges: length 0
        bytes.append(contentsOf: pascalName())
        bytes.append(contentsOf: unicodeNameBlock())
        return bytes
    }

    /// Length byte and at most 255 bytes, padded with zeros to a multiple of 4 (length byte included).
    func pascalName() -> [UInt8] {
        let characters = name.unicodeScalars.prefix(255).map { scalar -> UInt8 in
            scalar.value >= 0x20 && scalar.value < 0x7F ? UInt8(scalar.value) : UInt8(ascii: "?")
        }
        var bytes = [UInt8(characters.count)] + characters
        while bytes.count % 4 != 0 { bytes.append(0) }
        return bytes
    }

    /// Additional layer information `luni`: a Unicode string (4-byte count of UTF-16 code units, then
    /// the units big-endian), zero-padded so the block's length is a multiple of 4.
    func unicodeNameBlock() -> [UInt8] {
        let units = Array(name.utf16)
        var data: [UInt8] = bigEndianBytes(UInt32(units.count))
        for unit in units { data.append(contentsOf: bigEndianBytes(unit)) }
        while data.count % 4 != 0 { data.append(0) }
        return Array("8BIMluni".utf8) + bigEndianBytes(UInt32(data.count)) + data
    }
}

func bigEndianBytes<Value: FixedWidthInteger>(_ value: Value) -> [UInt8] {
    withUnsafeBytes(of: value.bigEndian) { Array($0) }
}
