import Foundation

/// Reads `{"instances":[{"image":"<base64>","layers":N,"resolution":R}]}`,
/// the body `VertexClient.PredictionRequest` sends, into checked instances.
///
/// Every problem becomes a 400 `INVALID_ARGUMENT` naming the field, in the
/// JSON path style Google uses (`instances[0].layers`), so a bad request is
/// a readable error and never a crash. Unknown fields (`parameters`) are
/// ignored, as Vertex does.
enum PredictionRequestReader {
    /// The resolutions accepted; Qwen-Image-Layered works at 640 or 1024,
    /// the range leaves room for other settings without accepting nonsense.
    static let resolutionRange = 64...4096

    private struct Body: Decodable {
        let instances: [Instance]
    }

    /// Numbers are read as `Double` and checked for being whole afterwards:
    /// Foundation's decoder reports `2.5` for an `Int` as "not valid JSON",
    /// which would send a caller looking for the wrong mistake.
    private struct Instance: Decodable {
        let image: String
        let layers: Double
        let resolution: Double
    }

    static func instances(from body: Data) throws(GoogleError) -> [PredictionInstance] {
        let decoded: Body
        do {
            decoded = try JSONDecoder().decode(Body.self, from: body)
        } catch let error as DecodingError {
            throw .invalidArgument(describe(error))
        } catch {
            throw .invalidArgument("the request body is not a valid prediction request: \(error)")
        }
        guard !decoded.instances.isEmpty else { throw .invalidArgument("instances is empty; send one instance per image") }
        var instances: [PredictionInstance] = []
        for (index, instance) in decoded.instances.enumerated() {
            let path = "instances[\(index)]"
            guard let image = Data(base64Encoded: instance.image) else {
                throw .invalidArgument("\(path).image is not valid base64 (standard alphabet, padded, no line breaks)")
            }
            guard !image.isEmpty else { throw .invalidArgument("\(path).image is empty") }
            let layers = try integer(instance.layers, in: LocalDecomposer.layerRange, name: "\(path).layers")
            let resolution = try integer(instance.resolution, in: resolutionRange, name: "\(path).resolution")
            instances.append(PredictionInstance(image: [UInt8](image), layers: layers, resolution: resolution))
        }
        return instances
    }

    private static func integer(_ value: Double, in range: ClosedRange<Int>, name: String) throws(GoogleError) -> Int {
        guard let whole = Int(exactly: value), range.contains(whole) else {
            let shown = Int(exactly: value).map(String.init) ?? "\(value)"
            throw .invalidArgument("\(name) must be an integer from \(range.lowerBound) to \(range.upperBound) (got \(shown))")
        }
        return whole
    }

    /// `instances[0].layers must be an integer`, not Swift's description of
    /// its decoder state.
    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context):
            let owner = path(context.codingPath)
            return owner.isEmpty ? "the request has no \"\(key.stringValue)\" field" : "\(owner) has no \"\(key.stringValue)\" field"
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            let field = path(context.codingPath)
            return "\(field.isEmpty ? "the request body" : field) must be \(expectation(type))"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return "the request body is not valid JSON" }
            return "\(path(context.codingPath)) is not usable: \(context.debugDescription)"
        @unknown default:
            return "the request body is not a valid prediction request"
        }
    }

    private static func path(_ codingPath: [any CodingKey]) -> String {
        var text = ""
        for key in codingPath {
            if let index = key.intValue { text += "[\(index)]" } else { text += text.isEmpty ? key.stringValue : ".\(key.stringValue)" }
        }
        return text
    }

    private static func expectation(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is Double.Type: "an integer"
        case is String.Type: "a string"
        case is [Instance].Type: "an array of instances"
        default: "an object"
        }
    }
}
