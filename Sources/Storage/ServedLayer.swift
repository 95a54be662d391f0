/// How `GET /results/{job_id}/{file}` answers for a layer: with its bytes (and an entity tag for
/// 304s), or with a redirect to a signed URL so the bytes never pass through the API.
public enum ServedLayer: Sendable {
    case stored(StoredLayer)
    case redirect(url: String)
}

/// A layer's size and strong entity tag, known before its bytes are fetched (so a 304 fetches none).
public struct StoredLayer: Sendable {
    public let size: Int
    public let entityTag: String
    /// The file's path or the object's name.
    let location: String
}

/// A file holding a layer's bytes; `temporary` ones (a copy downloaded from a bucket) are removed
/// by whoever serves them, once served.
public struct LocalLayerFile: Sendable {
    public let path: String
    public let isTemporary: Bool
}
