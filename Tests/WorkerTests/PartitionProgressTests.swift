import Foundation
import Testing

@testable import Worker

@Suite struct PartitionProgressTests {
    @Test func inOrderCompletionAdvancesOneByOne() {
        var progress = PartitionProgress()
        for offset in Int64(10)..<13 { progress.register(offset: offset) }
        #expect(progress.finish(offset: 10) == 11)
        #expect(progress.finish(offset: 11) == 12)
        #expect(progress.finish(offset: 12) == 13)
        #expect(progress.unfinished == 0)
    }

    @Test func outOfOrderCompletionWaitsForTheGap() {
        var progress = PartitionProgress()
        // 7 and 8 are not messages (e.g. compacted away, or transaction markers): they never block.
        for offset: Int64 in [5, 6, 9, 10, 11] { progress.register(offset: offset) }
        #expect(progress.finish(offset: 9) == nil)
        #expect(progress.finish(offset: 6) == nil)
        #expect(progress.unfinished == 3)
        #expect(progress.finish(offset: 5) == 10)
        #expect(progress.finish(offset: 11) == nil)
        #expect(progress.finish(offset: 10) == 12)
    }

    @Test func repeatedOrUnknownFinishIsIgnored() {
        var progress = PartitionProgress()
        progress.register(offset: 1)
        progress.register(offset: 2)
        #expect(progress.finish(offset: 1) == 2)
        #expect(progress.finish(offset: 1) == nil)
        #expect(progress.finish(offset: 7) == nil)
        #expect(progress.unfinished == 1)
    }

    @Test func longRunsCompactWithoutLosingTrack() {
        var progress = PartitionProgress()
        var stored: Int64 = 0
        for offset in Int64(0)..<5000 {
            progress.register(offset: offset)
            if offset % 2 == 1 {
                // finish the pair in reverse order
                #expect(progress.finish(offset: offset) == nil)
                stored = progress.finish(offset: offset - 1) ?? stored
            }
        }
        #expect(stored == 5000)
        #expect(progress.unfinished == 0)
    }
}

@Suite struct OffsetLedgerTests {
    @Test func boundsInFlightAndDrainsPerPartition() {
        let ledger = OffsetLedger(maxInFlight: 2)
        #expect(ledger.register(topic: "t", partition: 0, offset: 0, shouldStop: { false }))
        #expect(ledger.register(topic: "t", partition: 1, offset: 0, shouldStop: { false }))
        // The bound is reached: a third registration gives up as soon as the stop flag says so.
        #expect(!ledger.register(topic: "t", partition: 0, offset: 1, shouldStop: { true }))
        #expect(ledger.inFlight == 2)
        #expect(ledger.finish(topic: "t", partition: 1, offset: 0) == 1)
        #expect(ledger.waitUntilDrained(partitions: [("t", 1)], deadline: .now))
        #expect(!ledger.waitUntilDrained(partitions: [("t", 0)], deadline: .now + .milliseconds(20)))
        ledger.remove(partitions: [("t", 0)])
        #expect(ledger.inFlight == 0)
        #expect(ledger.finish(topic: "t", partition: 0, offset: 0) == nil)
    }

    @Test func blockedRegistrationResumesOnlyAtTheLowWaterMark() {
        let ledger = OffsetLedger(maxInFlight: 16)
        #expect(ledger.resumeBelow == 14)
        for offset in Int64(0)..<16 {
            #expect(ledger.register(topic: "t", partition: 0, offset: offset, shouldStop: { false }))
        }
        let registered = DispatchSemaphore(value: 0)
        Thread {
            if ledger.register(topic: "t", partition: 0, offset: 16, shouldStop: { false }) { registered.signal() }
        }
        .start()
        let deadline = ContinuousClock.now + .seconds(5)
        while ledger.blockedRegistrations == 0, ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.001) }
        #expect(ledger.blockedRegistrations == 1)
        // One finished message frees a slot, but the blocked registration waits for two.
        #expect(ledger.finish(topic: "t", partition: 0, offset: 0) == 1)
        #expect(registered.wait(timeout: .now() + 0.15) == .timedOut)
        #expect(ledger.inFlight == 15)
        #expect(ledger.finish(topic: "t", partition: 0, offset: 1) == 2)
        #expect(registered.wait(timeout: .now() + 5) == .success)
        #expect(ledger.inFlight == 15)
    }
}
