import Foundation

extension UUID {
    /// The id as the API, Redis keys and file names spell it: lowercase
    /// (`uuidString` is uppercase).
    public var lowercasedString: String { uuidString.lowercased() }
}
