/// A validated layer ready to store, with the dimensions the job's result lists.
public struct LayerToStore: Sendable {
    public let png: [UInt8]
    public let width: Int
    public let height: Int

    public init(png: [UInt8], width: Int, height: Int) {
        self.png = png
        self.width = width
        self.height = height
    }
}
