import Foundation

/// A worker's jobs by stage, for the claim loop.
///
/// A job holds one of `limit` call slots from its claim until its GPU call
/// has returned; it then checks and writes its layers in one of `limit`
/// saving places, and its slot takes the next job at once. Without that, each
/// slot would idle through every job's layer check, writes and completion — a
/// few percent of a 500 ms call, more on a busy machine — and the endpoint
/// would see fewer than `limit` calls at a time. So the endpoint never has
/// more than `limit` calls from this worker, and the worker never holds more
/// than `2 × limit` jobs. A job whose call returns while every saving place is
/// taken saves in its call slot, which frees when a place does.
struct JobSlots {
    let limit: Int
    /// Claimed, call not returned yet.
    private var calling: Set<UUID> = []
    private var savingInPlace: Set<UUID> = []
    /// Call returned while every saving place was taken, oldest first.
    private var savingInCallSlot: [UUID] = []

    init(limit: Int) {
        precondition(limit > 0, "at least one slot")
        self.limit = limit
    }

    var freeCallSlots: Int { limit - calling.count - savingInCallSlot.count }
    var jobs: Int { calling.count + savingInPlace.count + savingInCallSlot.count }

    mutating func claimed(_ id: UUID) {
        precondition(freeCallSlots > 0, "claimed without a free call slot")
        calling.insert(id)
    }

    /// The job's GPU call returned; it now saves its layers.
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
        if calling.remove(id) != nil { return }
        if let index = savingInCallSlot.firstIndex(of: id) {
            savingInCallSlot.remove(at: index)
        } else if savingInPlace.remove(id) != nil, !savingInCallSlot.isEmpty {
            savingInPlace.insert(savingInCallSlot.removeFirst())
        }
    }
}
