/// One layer PNG a completed job produced.
public struct LayerResult: Sendable, Codable, Equatable {
    public var index: Int
    public var filename: String
    public var url: String
    public var sizeKB: Double
    public var width: Int
    public var height: Int

    public init(index: Int, filename: String, url: String, sizeKB: Double, width: Int, height: Int) {
        self.index = index
        self.filename = filename
        self.url = url
        self.sizeKB = sizeKB
        self.width = width
        self.height = height
    }

    enum CodingKeys: String, CodingKey {
        case index, filename, url, width, height
        case sizeKB = "size_kb"
    }
}
