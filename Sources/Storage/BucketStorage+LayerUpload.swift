import CloudStorage
import Foundation

extension BucketStorage {
    /// A server-side copy (`rewriteTo`) of the layer's object to `uploads/{file_id}.png`: the
    /// layer's bytes never pass through the API.
    public func storeUpload(copyOfLayer index: Int, of set: LayerSet, fileID: UUID) async throws {
        do {
            _ = try await client.copy(Self.layerObject(set, index), to: Self.uploadName(fileID, "png"))
        } catch {
            throw Self.storageError(error)
        }
    }
}
