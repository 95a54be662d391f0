@testable import Exports

/// A small, independent PSD reader for the tests: the header, the layer records and their channel
/// data, and the composite, with its own PackBits decoder. Fails loudly (`TestPSDError`) on anything
/// it does not expect, so a structural slip in the writer shows here.
struct PSDTestReader {
    struct Layer {
        var top = 0, left = 0, bottom = 0, right = 0
        var channels: [(id: Int16, length: Int)] = []
        var blendMode = ""
        var opacity: UInt8 = 0
        var flags: UInt8 = 0
        var pascalName = ""
        var unicodeName: String?
        /// Channel ID → the decoded plane (width × height bytes).
        var planes: [Int16: [UInt8]] = [:]
    }

    var signature = ""
    var version = 0
    var channelCount = 0
    var width = 0
    var height = 0
    var depth = 0
    var colorMode = 0
    var layerCount = 0
    var layerInfoLength = 0
    var layerAndMaskLength = 0
    var layers: [Layer] = []
    /// The composite's planes: R, G, B, transparency.
    var composite: [[UInt8]] = []

    private var bytes: [UInt8]
    private var position = 0

    init(_ bytes: [UInt8]) throws {
        self.bytes = bytes
        signature = try ascii(4)
        version = try int(2)
        guard try self.bytes(6) == [0, 0, 0, 0, 0, 0] else { throw TestPSDError("reserved bytes are not zero") }
        channelCount = try int(2)
        height = try int(4)
        width = try int(4)
        depth = try int(2)
        colorMode = try int(2)
        try skipBlock()  // colour mode data
        try skipBlock()  // image resources
        layerAndMaskLength = try int(4)
        let layerAndMaskEnd = position + layerAndMaskLength
        layerInfoLength = try int(4)
        let layerInfoEnd = position + layerInfoLength
        layerCount = Int(Int16(truncatingIfNeeded: try int(2)))
        for _ in 0..<abs(layerCount) { layers.append(try layerRecord()) }
        for index in layers.indices {
            for channel in layers[index].channels {
                let end = position + channel.length
                let rows = layers[index].bottom - layers[index].top
                let columns = layers[index].right - layers[index].left
                layers[index].planes[channel.id] = try rlePlanes(1, rows: rows, columns: columns)[0]
                guard position == end else { throw TestPSDError("channel \(channel.id) length does not match its data") }
            }
        }
        guard position <= layerInfoEnd else { throw TestPSDError("layer data runs past the layer info length") }
        position = layerInfoEnd
        try skipBlock()  // global layer mask info
        guard position <= layerAndMaskEnd else { throw TestPSDError("layer and mask section overruns its length") }
        position = layerAndMaskEnd
        composite = try rlePlanes(channelCount, rows: height, columns: width)
        guard position == bytes.count else { throw TestPSDError("\(bytes.count - position) bytes after the image data") }
    }

    private mutating func layerRecord() throws -> Layer {
        var layer = Layer()
        layer.top = try int(4)
        layer.left = try int(4)
        layer.bottom = try int(4)
        layer.right = try int(4)
        for _ in 0..<(try int(2)) {
            layer.channels.append((Int16(truncatingIfNeeded: try int(2)), try int(4)))
        }
        guard try ascii(4) == "8BIM" else { throw TestPSDError("blend mode signature is not 8BIM") }
        layer.blendMode = try ascii(4)
        layer.opacity = try self.bytes(1)[0]
        _ = try self.bytes(1)  // clipping
        layer.flags = try self.bytes(1)[0]
        _ = try self.bytes(1)  // filler
        let extraLength = try int(4)
        let extraEnd = position + extraLength
        try skipBlock()  // mask data
        try skipBlock()  // blending ranges
        let nameStart = position
        let nameLength = try int(1)
        layer.pascalName = try ascii(nameLength)
        guard (position - nameStart) <= (nameLength + 4) else { throw TestPSDError("name") }
        position = nameStart + (1 + nameLength + 3) / 4 * 4
        while position < extraEnd {
            guard try ascii(4) == "8BIM" else { throw TestPSDError("additional layer info signature is not 8BIM") }
            let key = try ascii(4)
            let length = try int(4)
            let end = position + length
            if key == "luni" {
                let count = try int(4)
                var units: [UInt16] = []
                for _ in 0..<count { units.append(UInt16(try int(2))) }
                layer.unicodeName = String(decoding: units, as: UTF16.self)
            }
            position = end
        }
        guard position == extraEnd else { throw TestPSDError("extra data overruns its length") }
        return layer
    }

    /// Compression 1, a 2-byte row count for every row of every plane, then the rows.
    private mutating func rlePlanes(_ planes: Int, rows: Int, columns: Int) throws -> [[UInt8]] {
        guard try int(2) == 1 else { throw TestPSDError("compression is not RLE") }
        var counts: [Int] = []
        for _ in 0..<(planes * rows) { counts.append(try int(2)) }
        var result: [[UInt8]] = []
        for plane in 0..<planes {
            var pixels: [UInt8] = []
            for row in 0..<rows {
                let decoded = try unpackBits(try bytes(counts[plane * rows + row]))
                guard decoded.count == columns else {
                    throw TestPSDError("row \(row) decodes to \(decoded.count) bytes, not \(columns)")
                }
                pixels += decoded
            }
            result.append(pixels)
        }
        return result
    }

    /// Skips a block that starts with its 4-byte length.
    private mutating func skipBlock() throws {
        let length = try int(4)
        position += length
    }

    private mutating func bytes(_ count: Int) throws -> [UInt8] {
        guard count >= 0, position + count <= bytes.count else { throw TestPSDError("read past the end") }
        defer { position += count }
        return Array(bytes[position..<position + count])
    }

    private mutating func int(_ count: Int) throws -> Int {
        try bytes(count).reduce(0) { $0 << 8 | Int($1) }
    }

    private mutating func ascii(_ count: Int) throws -> String {
        String(decoding: try bytes(count), as: UTF8.self)
    }
}

/// PackBits decoding, written apart from the writer's encoder.
func unpackBits(_ data: [UInt8]) throws -> [UInt8] {
    var output: [UInt8] = []
    var index = 0
    while index < data.count {
        let header = Int(Int8(bitPattern: data[index]))
        index += 1
        if header >= 0 {
            guard index + header + 1 <= data.count else { throw TestPSDError("literal runs past the row") }
            output += data[index..<index + header + 1]
            index += header + 1
        } else if header != -128 {
            guard index < data.count else { throw TestPSDError("repeat without its byte") }
            output += [UInt8](repeating: data[index], count: 1 - header)
            index += 1
        }
    }
    return output
}

struct TestPSDError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
