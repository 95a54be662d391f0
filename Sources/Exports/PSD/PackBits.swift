/// PackBits, the run-length encoding of PSD channel data (compression 1), as Apple's Technical Note
/// TN1023 defines it: a header byte `n` then either `n + 1` literal bytes (0...127) or one byte
/// repeated `1 - n` times (-127...-1); -128 is never written. One row is encoded at a time, because
/// a PSD stores each row's encoded length.
enum PackBits {
    /// The most bytes `encode` writes for a row of `count` bytes: each chunk of 128 literal bytes
    /// costs one header byte.
    static func maximumEncodedCount(_ count: Int) -> Int { count + (count + 127) / 128 }

    /// Encodes `row` into `output` (at least `maximumEncodedCount(row.count)` bytes) and returns how
    /// many bytes it wrote. Runs of three or more equal bytes become repeats; a run of two stays in a
    /// literal, where it costs no more and does not break the literal in two.
    static func encode(_ row: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>) -> Int {
        let count = row.count
        var input = 0
        var written = 0
        while input < count {
            let byte = row[input]
            var run = 1
            while input + run < count && run < 128 && row[input + run] == byte { run += 1 }
            if run >= 3 {
                output[written] = UInt8(bitPattern: Int8(1 - run))
                output[written + 1] = byte
                written += 2
                input += run
                continue
            }
            // A literal: up to 128 bytes, ending where a run of three begins.
            let start = input
            var end = input
            while end < count && end - start < 128 {
                if end + 2 < count && row[end] == row[end + 1] && row[end] == row[end + 2] { break }
                end += 1
            }
            output[written] = UInt8(end - start - 1)
            written += 1
            for index in start..<end {
                output[written] = row[index]
                written += 1
            }
            input = end
        }
        return written
    }
}
