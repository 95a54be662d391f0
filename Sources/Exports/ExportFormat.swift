/// The layered files a completed job can be exported as (`GET /api/jobs/{id}/export?format=`), so
/// designers open a decomposition in their own tools instead of downloading PNGs one by one.
public enum ExportFormat: String, Sendable, CaseIterable {
    /// One Adobe Photoshop document, a pixel layer per model layer.
    case psd
    /// One PowerPoint slide with a full-slide picture per layer, like the model's own demo export.
    case pptx
    /// The layer PNGs byte for byte, with a `manifest.json`.
    case zip

    public var contentType: String {
        switch self {
        case .psd: "image/vnd.adobe.photoshop"
        case .pptx: "application/vnd.openxmlformats-officedocument.presentationml.presentation"
        case .zip: "application/zip"
        }
    }

    public var fileExtension: String { rawValue }
}
