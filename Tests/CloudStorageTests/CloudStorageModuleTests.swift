import CloudStorage
import Testing

@Suite struct CloudStorageModuleTests {
    @Test func theModuleIsNamedForWhatItTalksTo() {
        #expect(String(describing: CloudStorage.self) == "CloudStorage")
    }
}
