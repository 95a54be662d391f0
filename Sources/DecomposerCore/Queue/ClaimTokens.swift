import Foundation
import Synchronization
import SystemSupport

/// The lease tokens one worker claims with, kept across a claim whose reply never came.
///
/// Redis may run a claim and then lose its reply: the connection drops, or Redis stops right after
/// the script. The jobs it took are then leased under tokens that only the lost reply carried. A
/// worker asking again with fresh tokens would leave them leased to nobody until the lease runs out
/// and the sweep puts them back. So a worker asks again with the same tokens, flagged as unanswered,
/// and `claim.lua` first hands back the jobs still leased under them (`JobQueue.nextJobs`,
/// `JobQueue.claimAhead`).
///
/// Tokens a claim did not use stay for the next one; a claim that answered clears the flag.
public final class ClaimTokens: Sendable {
    private struct State {
        var spare: [String] = []
        /// The spare tokens went out in a claim that got no answer.
        var unanswered = false
    }

    private let state = Mutex(State())

    public init() {}

    /// Whether the last claim with these tokens got no answer (then the next one looks first for
    /// jobs already leased under them).
    public var hasUnanswered: Bool { state.withLock { $0.unanswered } }

    /// Tokens for a claim of up to `count` jobs: the spare ones first, fresh ones to make up the
    /// count. After an unanswered claim, every spare token goes out again, even beyond `count`,
    /// so no job leased under one is left behind.
    func lend(_ count: Int) -> (tokens: [String], unanswered: Bool) {
        state.withLock { state in
            while state.spare.count < count { state.spare.append(UUID.random().lowercasedString) }
            let tokens = state.unanswered ? state.spare : Array(state.spare.prefix(count))
            let unanswered = state.unanswered
            // Until an answer comes, these may lease jobs.
            state.unanswered = true
            return (tokens, unanswered)
        }
    }

    /// The claim answered: the tokens its leases carry are spent, the others are spare again.
    func answered(spending used: [String]) {
        state.withLock { state in
            state.spare.removeAll { used.contains($0) }
            state.unanswered = false
        }
    }
}
