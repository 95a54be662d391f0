import ArgumentParser
import DecomposerCore

/// A duration on the command line (`--since 2h`, `--older-than 7d`): `AgeParser`'s `30m`, `2h`,
/// `7d` (also `s`, `w`; a bare number is days), else exit 2 naming it.
struct OperatorDuration: ExpressibleByArgument {
    let duration: Duration

    init?(argument: String) {
        guard let duration = AgeParser.parse(argument) else { return nil }
        self.duration = duration
    }

    static var defaultCompletionKind: CompletionKind { .default }
}
