import Foundation

/// The JSON bodies of successful answers, written by hand: the layers are
/// megabytes of base64 that never need escaping, and going through
/// `JSONSerialization` would copy each one through a `String`.
enum PredictionBody {
    /// `{"predictions":[{"layers":["<base64 PNG>",…]},…],"deployedModelId":"…"}`:
    /// one prediction per instance, in order.
    static func success(predictions: [[[UInt8]]], deployedModelID: String) -> [UInt8] {
        var body = Array(#"{"predictions":["#.utf8)
        for (index, layers) in predictions.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body.append(contentsOf: #"{"layers":["#.utf8)
            for (layerIndex, png) in layers.enumerated() {
                if layerIndex > 0 { body.append(UInt8(ascii: ",")) }
                body.append(UInt8(ascii: "\""))
                body.append(contentsOf: Data(png).base64EncodedData())
                body.append(UInt8(ascii: "\""))
            }
            body.append(contentsOf: "]}".utf8)
        }
        body.append(contentsOf: #"],"deployedModelId":"#.utf8)
        body.append(contentsOf: jsonString(deployedModelID).utf8)
        body.append(UInt8(ascii: "}"))
        return body
    }

    /// What a broken model container might send with a 200: the start of a
    /// prediction, cut off mid-string (the `malformed-body` fault).
    static let malformed = Array(#"{"predictions":[{"layers":["iVBORw0KGgoAAAANSUhEUgAA"#.utf8)

    private static func jsonString(_ text: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: [text], options: [])) ?? Data(#"[""]"#.utf8)
        return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
    }
}
