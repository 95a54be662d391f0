import Foundation

/// The XML parts of the PPTX export: the smallest Open XML package (ECMA-376 part 1) with one
/// slide, its layout, master and theme. Each picture references its layer's PNG in `ppt/media`.
struct PresentationParts {
    let layers: [ExportLayer]
    let slide: SlideGeometry
    let jobID: UUID

    static let header = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
    static let namespaces =
        #"xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" "#
        + #"xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" "#
        + #"xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main""#
    static let relationshipType = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
    static let contentType = "application/vnd.openxmlformats-officedocument."
    static let emptyTree =
        #"<p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr><p:grpSpPr/>"#

    /// Layer `index`'s picture inside the package.
    static func mediaName(_ index: Int) -> String { "ppt/media/layer_\(index).png" }

    /// Every part but the media, `[Content_Types].xml` first.
    func xmlParts() -> [(String, String)] {
        [
            ("[Content_Types].xml", contentTypes),
            ("_rels/.rels", Self.relationships([("officeDocument", "ppt/presentation.xml")])),
            ("ppt/presentation.xml", presentation),
            (
                "ppt/_rels/presentation.xml.rels",
                Self.relationships([
                    ("slideMaster", "slideMasters/slideMaster1.xml"), ("slide", "slides/slide1.xml"), ("theme", "theme/theme1.xml"),
                ])
            ),
            ("ppt/slides/slide1.xml", slideXML),
            (
                "ppt/slides/_rels/slide1.xml.rels",
                Self.relationships(
                    [("slideLayout", "../slideLayouts/slideLayout1.xml")]
                        + layers.indices.map { ("image", "../media/layer_\($0).png") })
            ),
            ("ppt/slideLayouts/slideLayout1.xml", Self.slideLayout),
            ("ppt/slideLayouts/_rels/slideLayout1.xml.rels", Self.relationships([("slideMaster", "../slideMasters/slideMaster1.xml")])),
            ("ppt/slideMasters/slideMaster1.xml", Self.slideMaster),
            (
                "ppt/slideMasters/_rels/slideMaster1.xml.rels",
                Self.relationships([("slideLayout", "../slideLayouts/slideLayout1.xml"), ("theme", "../theme/theme1.xml")])
            ),
            ("ppt/theme/theme1.xml", PresentationTheme.xml),
        ]
    }

    var contentTypes: String {
        let overrides: [(String, String)] = [
            ("/ppt/presentation.xml", "presentationml.presentation.main+xml"),
            ("/ppt/slides/slide1.xml", "presentationml.slide+xml"),
            ("/ppt/slideLayouts/slideLayout1.xml", "presentationml.slideLayout+xml"),
            ("/ppt/slideMasters/slideMaster1.xml", "presentationml.slideMaster+xml"),
            ("/ppt/theme/theme1.xml", "theme+xml"),
        ]
        return Self.header
            + #"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">"#
            + #"<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>"#
            + #"<Default Extension="xml" ContentType="application/xml"/>"#
            + #"<Default Extension="png" ContentType="image/png"/>"#
            + overrides.map { #"<Override PartName="\#($0.0)" ContentType="\#(Self.contentType)\#($0.1)"/>"# }.joined()
            + "</Types>"
    }

    var presentation: String {
        Self.header + "<p:presentation \(Self.namespaces)>"
            + #"<p:sldMasterIdLst><p:sldMasterId id="2147483648" r:id="rId1"/></p:sldMasterIdLst>"#
            + #"<p:sldIdLst><p:sldId id="256" r:id="rId2"/></p:sldIdLst>"#
            + #"<p:sldSz cx="\#(slide.width)" cy="\#(slide.height)"/><p:notesSz cx="6858000" cy="9144000"/>"#
            + "</p:presentation>"
    }

    /// One picture per layer, in order: later pictures are drawn on top, so layer 0 is at the back.
    var slideXML: String {
        let pictures = layers.enumerated().map { position, layer in
            #"<p:pic><p:nvPicPr><p:cNvPr id="\#(position + 2)" name="\#(Self.escaped(layer.name))"/>"#
                + #"<p:cNvPicPr><a:picLocks noChangeAspect="1"/></p:cNvPicPr><p:nvPr/></p:nvPicPr>"#
                + #"<p:blipFill><a:blip r:embed="rId\#(position + 2)"/><a:stretch><a:fillRect/></a:stretch></p:blipFill>"#
                + #"<p:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="\#(slide.width)" cy="\#(slide.height)"/></a:xfrm>"#
                + #"<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></p:spPr></p:pic>"#
        }
        return Self.header + "<p:sld \(Self.namespaces)><p:cSld name=\"Job \(jobID.uuidString.lowercased())\"><p:spTree>"
            + Self.emptyTree + pictures.joined()
            + "</p:spTree></p:cSld><p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:sld>"
    }

    static let slideLayout =
        header + #"<p:sldLayout \#(namespaces) type="blank" preserve="1"><p:cSld name="Blank"><p:spTree>"#
        + emptyTree + "</p:spTree></p:cSld><p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:sldLayout>"

    static let slideMaster =
        header + "<p:sldMaster \(namespaces)><p:cSld><p:spTree>" + emptyTree + "</p:spTree></p:cSld>"
        + #"<p:clrMap bg1="lt1" tx1="dk1" bg2="lt2" tx2="dk2" accent1="accent1" accent2="accent2" accent3="accent3" "#
        + #"accent4="accent4" accent5="accent5" accent6="accent6" hlink="hlink" folHlink="folHlink"/>"#
        + #"<p:sldLayoutIdLst><p:sldLayoutId id="2147483649" r:id="rId1"/></p:sldLayoutIdLst></p:sldMaster>"#

    /// A relationships part; ids are `rId1`, `rId2`, … in the order given.
    /// `targets` are (relationship type, target) pairs.
    static func relationships(_ targets: [(String, String)]) -> String {
        header + #"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#
            + targets.enumerated().map { index, target in
                #"<Relationship Id="rId\#(index + 1)" Type="\#(relationshipType)\#(target.0)" Target="\#(target.1)"/>"#
            }.joined()
            + "</Relationships>"
    }

    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
