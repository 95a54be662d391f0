/// The writer of each export format; nil for a format whose writer is not built in yet (the API
/// answers 501 for it).
public enum ExportWriters {
    public static func writer(for format: ExportFormat) -> (any LayeredFileWriter)? {
        switch format {
        case .zip: ZIPExportWriter()
        case .pptx: PPTXWriter()
        case .psd: nil  // psd: PSDWriter() once merged
        }
    }
}
