import Foundation

/// A worker's jobs by stage, for the claim loop.
///
/// A job holds one of `limit` call slots from its claim until the endpoint
/// starts its answer (the reply's head is in: the prediction is done); it then
/// receives, decodes, checks and writes its layers in one of `limit` saving
/// places, and its slot takes the next job at once. Without that, each slot
/// would idle through every job's download and save — megabytes of layers on
/// the network, a few percent of a 500 ms call on a busy machine — and the
/// endpoint would see fewer than `limit` calls at a time. A job whose answer
/// starts while every saving place is taken saves in its call slot, which
/// frees when a place does.
///
/// While every call slot is busy, up to `aheadLimit` jobs may be claimed
/// ahead: each prepares its image and then waits for a call slot, which it
/// gets before any new claim, so image preparation leaves the call's critical
/// path too. (The claim leaves them to idle workers when few jobs wait: see
/// `JobQueue.claim(leavingWaiting:)`.)
///
/// A claim ahead takes a job only while more than `aheadLimit` wait; each claim
/// says how many still wait after it (`waitingAfterClaim`), so the claim ahead
/// that this count says would find nothing — the one that used to follow every
/// claim filling the last slot while the queue was short — is not sent. Jobs
/// enqueued since wait for the next claim, as they did after an empty claim ahead.
///
/// So the endpoint never has more than `limit` calls from this worker, and
/// the worker never holds more than `2 × limit + aheadLimit` jobs.
struct JobSlots {
    let limit: Int
    let aheadLimit: Int
    /// Holding a call slot, no answer started yet.
    private var calling: Set<UUID> = []
    private var savingInPlace: Set<UUID> = []
    /// Answer started while every saving place was taken, oldest first.
    private var savingInCallSlot: [UUID] = []
    /// Claimed ahead, not yet holding a call slot.
    private var ahead: Set<UUID> = []
    /// Jobs waiting in the queue after this worker's last claim; nil when not known.
    private(set) var waitingAfterClaim: Int?

    init(limit: Int, aheadLimit: Int = 0) {
        precondition(limit > 0 && aheadLimit >= 0, "at least one slot")
        self.limit = limit
        self.aheadLimit = aheadLimit
    }

    private var busyCallSlots: Int { calling.count + savingInCallSlot.count }

    /// Call slots a new claim may take: those no job claimed ahead is waiting for.
    var freeCallSlots: Int { max(limit - busyCallSlots - ahead.count, 0) }
    /// Whether a job may be claimed ahead: every call slot is busy or promised, and the last
    /// claim did not leave `aheadLimit` or fewer waiting (then a claim ahead finds nothing).
    var mayClaimAhead: Bool {
        freeCallSlots == 0 && ahead.count < aheadLimit && (waitingAfterClaim ?? Int.max) > aheadLimit
    }
    var jobs: Int { busyCallSlots + savingInPlace.count + ahead.count }

    /// What the last claim said waits in the queue after it (nil: unknown, a claim ahead may be tried).
    mutating func noteWaiting(_ count: Int?) { waitingAfterClaim = count }

    mutating func claimed(_ id: UUID) {
        precondition(freeCallSlots > 0, "claimed without a free call slot")
        calling.insert(id)
    }

    /// After `mayClaimAhead`; a call slot that freed meanwhile is simply the one it takes.
    mutating func claimedAhead(_ id: UUID) { ahead.insert(id) }

    /// Gives the job claimed ahead a call slot if one is free; false while every one is busy.
    mutating func takeCallSlot(_ id: UUID) -> Bool {
        guard ahead.contains(id), busyCallSlots < limit else { return false }
        ahead.remove(id)
        calling.insert(id)
        return true
    }

    /// The endpoint started answering the job's call; it now receives and saves its layers.
    mutating func callEnded(_ id: UUID) {
        guard calling.remove(id) != nil else { return }
        if savingInPlace.count < limit {
            savingInPlace.insert(id)
        } else {
            savingInCallSlot.append(id)
        }
    }

    /// The job ended, at whatever stage; a job saving in its call slot takes
    /// the saving place it leaves.
    mutating func ended(_ id: UUID) {
        if calling.remove(id) != nil || ahead.remove(id) != nil { return }
        if let index = savingInCallSlot.firstIndex(of: id) {
            savingInCallSlot.remove(at: index)
        } else if savingInPlace.remove(id) != nil, !savingInCallSlot.isEmpty {
            savingInPlace.insert(savingInCallSlot.removeFirst())
        }
    }
}
