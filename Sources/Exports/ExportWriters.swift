/// The writer of each export format.
public enum ExportWriters {
    public static func writer(for format: ExportFormat) -> any LayeredFileWriter {
        switch format {
        case .zip: ZIPExportWriter()
        case .pptx: PPTXWriter()
        case .psd: PSDWriter()
        }
    }
}
