/// Whether an upload may be sent again after a transient failure. Google retries a write only when
/// repeating it cannot change the outcome; the caller says which case this is.
public enum UploadIdempotency: Sendable, Equatable {
    /// Tried once: a repeat could overwrite a newer write of the same name.
    case notIdempotent
    /// `ifGenerationMatch`: written only while the object's generation is this one (0: only while
    /// no object has the name), so a repeat of a write that landed fails with `preconditionFailed`
    /// instead of writing twice.
    case ifGenerationMatch(Int64)
    /// The caller knows that writing the name again is harmless (the same bytes, e.g. a layer a
    /// second worker writes for the same job).
    case overwriteIsIdempotent

    var allowsRetry: Bool { self != .notIdempotent }
}
