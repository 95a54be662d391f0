import Synchronization
import SystemSupport

/// The schedule of faults: for each request, in arrival order, whether it
/// fails and how, and how much latency it gets — drawn from a generator
/// seeded with `FaultSettings.seed`, so a run repeats exactly.
///
/// Every request takes exactly two draws (latency, then fault) whatever the
/// settings, so the n-th request's fate depends only on the seed and n.
public final class FaultPlan: Sendable {
    /// What happens to one request.
    public struct Draw: Sendable, Equatable {
        /// `nil`: a normal answer.
        public let fault: Fault?
        public let latency: Duration
    }

    public let settings: FaultSettings
    private let generator: Mutex<SeededGenerator>

    public init(_ settings: FaultSettings) {
        self.settings = settings
        generator = Mutex(SeededGenerator(seed: settings.seed))
    }

    /// The next request's fate.
    public func next() -> Draw {
        let (latencyUnit, faultUnit) = generator.withLock { ($0.unitInterval(), $0.unitInterval()) }
        var threshold = 0.0
        var fault: Fault?
        for (candidate, probability) in settings.faultProbabilities where probability > 0 {
            threshold += probability
            if faultUnit < threshold {
                fault = candidate
                break
            }
        }
        return Draw(fault: fault, latency: settings.latency.duration(at: latencyUnit))
    }
}
