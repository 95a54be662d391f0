internal import CImageCodecs

/// The C shim's `int` status plus its message buffer, turned into a Swift error.
///
/// Every `cic_*` call fills a `CIC_ERROR_CAPACITY`-byte buffer; keeping the
/// buffer and the status-to-case mapping in one place means each call site is
/// short and no C status is ever dropped or misread.
struct CodecStatus {
    let code: Int32
    /// The C function's NUL-terminated message.
    let message: [CChar]

    /// A zeroed buffer of the size every `cic_*` function expects for `err`.
    static func messageBuffer() -> [CChar] {
        [CChar](repeating: 0, count: Int(CIC_ERROR_CAPACITY))
    }

    var text: String {
        let bytes = message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Throws the error matching `code`; `width`/`height`/`limit` are only used
    /// for `CIC_TOO_MANY_PIXELS`.
    func check(width: UInt32 = 0, height: UInt32 = 0, limit: Int = 0) throws(ImageCodecError) {
        switch code {
        case CIC_OK: return
        case CIC_EMPTY: throw .empty
        case CIC_NOT_AN_IMAGE: throw .notAnImage
        case CIC_TRUNCATED: throw .truncated
        case CIC_TOO_MANY_PIXELS: throw .tooManyPixels(width: Int(width), height: Int(height), limit: limit)
        case CIC_ENCODE_FAILED: throw .encodeFailed(text)
        default: throw .corrupt(text)
        }
    }
}
