/// Writes channels the way a PSD stores RLE data: a table of 2-byte encoded row lengths (every row
/// of every channel, channel after channel), then the PackBits rows in the same order. The table is
/// written as zeros and patched once the rows are out, so only one row is in memory at a time.
struct RowEncoder {
    let width: Int
    let height: Int

    /// Writes `channels` channels whose rows `fill(y, channel, row)` provides and returns the bytes
    /// written (table and rows; the compression field before them is the caller's).
    func writeChannels(
        _ channels: Int, to file: BigEndianFileWriter,
        fill: (Int, Int, UnsafeMutableBufferPointer<UInt8>) -> Void
    ) throws -> Int {
        let tableStart = try file.reserve(channels * height * 2)
        var table = [UInt8]()
        table.reserveCapacity(channels * height * 2)
        var row = [UInt8](repeating: 0, count: width)
        var encoded = [UInt8](repeating: 0, count: PackBits.maximumEncodedCount(width))
        var dataBytes = 0
        for channel in 0..<channels {
            for y in 0..<height {
                row.withUnsafeMutableBufferPointer { fill(y, channel, $0) }
                let count = row.withUnsafeBufferPointer { source in
                    encoded.withUnsafeMutableBufferPointer { PackBits.encode(source, into: $0) }
                }
                // At most 30,000 + 235 bytes (PSDWriter.maximumSide), so it fits the 2-byte count.
                table.append(UInt8(count >> 8))
                table.append(UInt8(count & 0xFF))
                try encoded.withUnsafeBytes { raw in
                    try file.write(UnsafeRawBufferPointer(rebasing: raw[0..<count]))
                }
                dataBytes += count
            }
        }
        try table.withUnsafeBytes { raw in try file.patch(raw, at: tableStart) }
        return table.count + dataBytes
    }
}
