import Foundation
import SystemSupport
import Testing

@testable import Worker

/// The claim loop's accounting: a job's call slot frees when its call returns,
/// saving has places of its own, a job claimed ahead gets the next free slot,
/// and the bounds hold whatever the order.
@Suite struct JobSlotsTests {
    @Test func aJobWhoseCallReturnedNoLongerHoldsItsCallSlot() {
        var slots = JobSlots(limit: 2)
        let (a, b, c) = (UUID(), UUID(), UUID())
        slots.claimed(a)
        slots.claimed(b)
        #expect(slots.freeCallSlots == 0)
        slots.callEnded(a)
        #expect(slots.freeCallSlots == 1, "a saves its layers outside the slot")
        slots.claimed(c)
        #expect(slots.jobs == 3)
        slots.ended(a)
        #expect(slots.freeCallSlots == 0)
        #expect(slots.jobs == 2)
    }

    @Test func noClaimAheadWhenTheLastClaimLeftTooFewWaiting() {
        var slots = JobSlots(limit: 1, aheadLimit: 2)
        slots.claimed(UUID())
        #expect(slots.mayClaimAhead, "nothing known: try")
        slots.noteWaiting(2)
        #expect(!slots.mayClaimAhead, "two wait and a claim ahead leaves two: it would find nothing")
        slots.noteWaiting(3)
        #expect(slots.mayClaimAhead)
        slots.noteWaiting(nil)
        #expect(slots.mayClaimAhead)
    }

    @Test func aJobThatEndsBeforeItsCallReturnsFreesItsSlot() {
        var slots = JobSlots(limit: 1)
        let a = UUID()
        slots.claimed(a)
        slots.ended(a)  // failed, retried later or handed back
        #expect(slots.freeCallSlots == 1)
        #expect(slots.jobs == 0)
    }

    /// One slot: `a` saves in the saving place, `b` (whose call returned next) in its call slot.
    private func twoSaving() -> (slots: JobSlots, a: UUID, b: UUID) {
        var slots = JobSlots(limit: 1)
        let (a, b) = (UUID(), UUID())
        slots.claimed(a)
        slots.callEnded(a)
        slots.claimed(b)
        slots.callEnded(b)
        return (slots, a, b)
    }

    @Test func withEverySavingPlaceTakenAReturnedCallKeepsItsSlotUntilAPlaceFrees() {
        var (slots, a, b) = twoSaving()
        #expect(slots.freeCallSlots == 0, "b saves in its call slot")
        #expect(slots.jobs == 2)
        slots.ended(a)
        #expect(slots.freeCallSlots == 1, "b took a's saving place")
        slots.ended(b)
        #expect(slots.freeCallSlots == 1)
        #expect(slots.jobs == 0)
    }

    @Test func aJobSavingInItsCallSlotThatEndsFirstFreesThatSlot() {
        var (slots, a, b) = twoSaving()
        slots.ended(b)
        #expect(slots.freeCallSlots == 1)
        #expect(slots.jobs == 1)
        slots.ended(a)
        #expect(slots.jobs == 0)
    }

    @Test func aJobClaimedAheadTakesTheNextFreeCallSlotBeforeAnyNewClaim() {
        var slots = JobSlots(limit: 1, aheadLimit: 1)
        let (a, b) = (UUID(), UUID())
        #expect(!slots.mayClaimAhead, "a free call slot is claimed for, not ahead")
        slots.claimed(a)
        #expect(slots.mayClaimAhead)
        slots.claimedAhead(b)
        #expect(!slots.mayClaimAhead, "one ahead at most")
        let tooEarly = slots.takeCallSlot(b)
        #expect(!tooEarly, "a is still calling")
        slots.callEnded(a)
        #expect(slots.freeCallSlots == 0, "the freed slot is b's")
        let taken = slots.takeCallSlot(b)
        #expect(taken)
        #expect(slots.mayClaimAhead)
        #expect(slots.jobs == 2)
    }

    @Test func aJobClaimedAheadThatEndsBeforeItsSlotFreesItsPromise() {
        var slots = JobSlots(limit: 1, aheadLimit: 1)
        let (a, b) = (UUID(), UUID())
        slots.claimed(a)
        slots.claimedAhead(b)
        slots.ended(b)  // cancelled, or shutdown while it waited
        slots.ended(a)
        #expect(slots.freeCallSlots == 1)
        #expect(slots.jobs == 0)
    }

    @Test func callsNeverExceedTheLimitNorJobsTheirBoundInAnyOrder() {
        var generator = SeededGenerator(seed: 42)
        for _ in 0..<300 {
            let limit = Int.random(in: 1...4, using: &generator)
            let aheadLimit = Int.random(in: 0...2, using: &generator)
            var slots = JobSlots(limit: limit, aheadLimit: aheadLimit)
            var ahead: [UUID] = []
            var calling: [UUID] = []
            var saving: [UUID] = []
            func pick(_ list: inout [UUID]) -> UUID { list.remove(at: Int.random(in: 0..<list.count, using: &generator)) }
            for _ in 0..<80 {
                switch Int.random(in: 0..<7, using: &generator) {
                case 0 where slots.freeCallSlots > 0:
                    let id = UUID()
                    slots.claimed(id)
                    calling.append(id)
                case 1 where slots.mayClaimAhead:
                    let id = UUID()
                    slots.claimedAhead(id)
                    ahead.append(id)
                case 2 where !ahead.isEmpty:
                    let index = Int.random(in: 0..<ahead.count, using: &generator)
                    if slots.takeCallSlot(ahead[index]) { calling.append(ahead.remove(at: index)) }
                case 3 where !calling.isEmpty:
                    let id = pick(&calling)
                    slots.callEnded(id)
                    saving.append(id)
                case 4 where !calling.isEmpty:
                    slots.ended(pick(&calling))
                case 5 where !saving.isEmpty:
                    slots.ended(pick(&saving))
                case 6 where !ahead.isEmpty:
                    slots.ended(pick(&ahead))
                default:
                    continue
                }
                #expect(calling.count <= limit, "the endpoint never sees more than the limit")
                #expect(ahead.count <= aheadLimit)
                #expect(slots.jobs == calling.count + saving.count + ahead.count)
                #expect(slots.jobs <= 2 * limit + aheadLimit)
                #expect(slots.freeCallSlots <= limit - calling.count)
            }
        }
    }
}
