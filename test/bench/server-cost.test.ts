// What a busy home costs its file server between jobs (bench/server-cost.mjs): every slot
// running a long job and jobs queued behind them, counted with strace as metadata operations
// per second. A ceiling a little above today's, so that a change that makes the dispatcher or a
// worker look more often fails here. These are counts over a few seconds of timers, stable on
// a loaded machine (the looks are paced by time, not by how fast the machine is).
import {afterAll, expect, it} from 'vitest';
import {removeRoot} from '../../bench/harness.mjs';
import {straceUnavailable} from '../../bench/round-trips.mjs';
import {busyCost} from '../../bench/server-cost.mjs';

afterAll(() => removeRoot());

it('a worker whose every slot is busy, and its dispatcher with jobs queued, look at the home no more often than today', async (context) => {
  const why = straceUnavailable();
  if (why !== undefined) {
    console.log(`server-cost.test: skipped, ${why}`);
    context.skip();
    return;
  }
  const counted = await busyCost(200, {workers: 1, backlogs: [200, 200], busySlots: 2, settleSeconds: 3, seconds: 5});
  expect(counted.workerProcesses).toBe(1);
  // 10.4 per second while it listed its pod at every tick (1 s) with no slot free; 6.2 since it
  // lists it once per heartbeat then (5 s): its requests and its fire file stay at every tick.
  expect(counted.workersPerSecond).toBeLessThan(8);
  expect(counted.workersPerSecond).toBeGreaterThan(0.5);
  // 55 per second while each rescan (one a second) looked at the home's 15 directories twice,
  // before and after its listing of jobqueue/; 42 since the second look is of jobqueue/ alone.
  expect(counted.dispatcherPerSecond).toBeLessThan(48);
}, 60_000);
