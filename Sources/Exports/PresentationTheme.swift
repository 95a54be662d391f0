/// The PPTX export's theme part: Office requires a master to have one (colours, fonts and the
/// three-entry style lists); nothing on the slide uses it, so it is the plainest valid theme.
enum PresentationTheme {
    static let xml: String = {
        let colors = [
            ("dk1", "000000"), ("lt1", "FFFFFF"), ("dk2", "44546A"), ("lt2", "E7E6E6"), ("accent1", "4472C4"),
            ("accent2", "ED7D31"), ("accent3", "A5A5A5"), ("accent4", "FFC000"), ("accent5", "5B9BD5"),
            ("accent6", "70AD47"), ("hlink", "0563C1"), ("folHlink", "954F72"),
        ]
        let font = #"<a:latin typeface="Calibri"/><a:ea typeface=""/><a:cs typeface=""/>"#
        let fill = #"<a:solidFill><a:schemeClr val="phClr"/></a:solidFill>"#
        let line = #"<a:ln w="6350"><a:solidFill><a:schemeClr val="phClr"/></a:solidFill></a:ln>"#
        return PresentationParts.header
            + #"<a:theme xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" name="Decomposer">"#
            + #"<a:themeElements><a:clrScheme name="Decomposer">"#
            + colors.map { #"<a:\#($0.0)><a:srgbClr val="\#($0.1)"/></a:\#($0.0)>"# }.joined()
            + #"</a:clrScheme><a:fontScheme name="Decomposer">"#
            + "<a:majorFont>\(font)</a:majorFont><a:minorFont>\(font)</a:minorFont></a:fontScheme>"
            + #"<a:fmtScheme name="Decomposer"><a:fillStyleLst>\#(fill)\#(fill)\#(fill)</a:fillStyleLst>"#
            + "<a:lnStyleLst>\(line)\(line)\(line)</a:lnStyleLst>"
            + "<a:effectStyleLst>" + String(repeating: "<a:effectStyle><a:effectLst/></a:effectStyle>", count: 3)
            + "</a:effectStyleLst><a:bgFillStyleLst>\(fill)\(fill)\(fill)</a:bgFillStyleLst></a:fmtScheme>"
            + "</a:themeElements></a:theme>"
    }()
}
