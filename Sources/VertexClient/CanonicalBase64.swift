import CBase64

/// Standard base64 (RFC 4648 §4) with padding, no line breaks, decoded straight from a reply's
/// bytes into the layer's array. Only canonical text is taken (length a multiple of 4, unused
/// bits zero, `=` only at the end); anything else is nil, and the general path decides.
///
/// The decoding is C (`CBase64`): an AVX2 loop where the CPU has one, 7× swift-extras-base64 on
/// these machines, which was about 2 ms of a photo-like job's CPU (bench/README.md, "Base64 of
/// the layers").
package enum CanonicalBase64 {
    /// - Parameter vectorPath: false takes the portable loop even on an AVX2 CPU (for the tests,
    ///   which hold both to the same answers).
    package static func decode(_ text: UnsafeBufferPointer<UInt8>, vectorPath: Bool = true) -> [UInt8]? {
        guard let source = text.baseAddress, text.count > 0, text.count % 4 == 0 else { return nil }
        var canonical = true
        let decoded = [UInt8](unsafeUninitializedCapacity: text.count / 4 * 3) { output, count in
            let length =
                vectorPath
                ? cbase64_decode_canonical(source, text.count, output.baseAddress)
                : cbase64_decode_canonical_portable(source, text.count, output.baseAddress)
            canonical = length >= 0
            count = max(length, 0)
        }
        return canonical ? decoded : nil
    }
}
