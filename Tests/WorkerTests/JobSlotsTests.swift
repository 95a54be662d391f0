import Foundation
import LocalEndpoint
import Testing

@testable import Worker

/// The claim loop's accounting: a job's call slot frees when its call returns,
/// saving has places of its own, and the bounds hold whatever the order.
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

    @Test func aJobThatEndsBeforeItsCallReturnsFreesItsSlot() {
        var slots = JobSlots(limit: 1)
        let a = UUID()
        slots.claimed(a)
        slots.ended(a)  // failed, retried later or handed back
        #expect(slots.freeCallSlots == 1)
        #expect(slots.jobs == 0)
    }

    @Test func withEverySavingPlaceTakenAReturnedCallKeepsItsSlotUntilAPlaceFrees() {
        var slots = JobSlots(limit: 1)
        let (a, b) = (UUID(), UUID())
        slots.claimed(a)
        slots.callEnded(a)
        slots.claimed(b)
        slots.callEnded(b)
        #expect(slots.freeCallSlots == 0, "b saves in its call slot")
        #expect(slots.jobs == 2)
        slots.ended(a)
        #expect(slots.freeCallSlots == 1, "b took a's saving place")
        slots.ended(b)
        #expect(slots.freeCallSlots == 1)
        #expect(slots.jobs == 0)
    }

    @Test func aJobSavingInItsCallSlotThatEndsFirstFreesThatSlot() {
        var slots = JobSlots(limit: 1)
        let (a, b) = (UUID(), UUID())
        slots.claimed(a)
        slots.callEnded(a)
        slots.claimed(b)
        slots.callEnded(b)
        slots.ended(b)
        #expect(slots.freeCallSlots == 1)
        #expect(slots.jobs == 1)
        slots.ended(a)
        #expect(slots.jobs == 0)
    }

    @Test func callsNeverExceedTheLimitNorJobsTwiceTheLimitInAnyOrder() {
        var generator = SeededGenerator(seed: 42)
        for _ in 0..<200 {
            let limit = Int.random(in: 1...4, using: &generator)
            var slots = JobSlots(limit: limit)
            var calling: [UUID] = []
            var saving: [UUID] = []
            for _ in 0..<60 {
                switch Int.random(in: 0..<4, using: &generator) {
                case 0 where slots.freeCallSlots > 0:
                    let id = UUID()
                    slots.claimed(id)
                    calling.append(id)
                case 1 where !calling.isEmpty:
                    let id = calling.remove(at: Int.random(in: 0..<calling.count, using: &generator))
                    slots.callEnded(id)
                    saving.append(id)
                case 2 where !calling.isEmpty:
                    slots.ended(calling.remove(at: Int.random(in: 0..<calling.count, using: &generator)))
                case 3 where !saving.isEmpty:
                    slots.ended(saving.remove(at: Int.random(in: 0..<saving.count, using: &generator)))
                default:
                    continue
                }
                #expect(calling.count <= limit, "the endpoint never sees more than the limit")
                #expect(slots.jobs == calling.count + saving.count)
                #expect(slots.jobs <= 2 * limit)
                #expect(slots.freeCallSlots >= 0)
                #expect(slots.freeCallSlots <= limit - calling.count)
            }
        }
    }
}
