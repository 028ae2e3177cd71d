// The filesystem metadata operations per job of the dispatcher and a worker, counted with
// strace (bench/round-trips.mjs): ceilings a little above today's counts, so that a change
// that adds round trips on NFS fails here. Counts, not timings. The calls made per job are
// stable on a loaded machine; the stats and listings are not quite: the dispatcher's look at
// the home's 15 directories (once a second at most) and the rescans come with time, so a slow
// run has more of them. Those are held by the looser ceilings on the totals.
import {expect, it} from 'vitest';
import {measureRoundTrips, roundTripsTable, straceUnavailable, totalCalls} from '../../bench/round-trips.mjs';
import {makeHome} from '../helpers/home.js';
import {BIN} from '../helpers/paths.js';

// Per job, on 100 trivial jobs and one worker of 2 slots (README, "Performance"). Measured
// on this machine, loaded: dispatcher 13.0-15.2 in all before its cuts, 8.1-10.9 after; worker 22.2-24.9 before its cuts
// (issue 16), 12.6-13.9 once it looks for a fire request on its tick, fstat's the job file
// once, and knows its pod from the watch's events instead of a listing per job; the job
// starter's opens of the output files count as the worker's.
const TOTAL = {dispatcher: 12, worker: 16};
const PER_CALL = {
  // The job file and its record reserved (2.2-2.5: the listings of rescans besides); its own
  // write's events are not read back, and a job seen landing in done/ has finished. A job
  // whose name has no record (seen-records.ts) is not looked for one: access 1.0 before.
  dispatcher: {open: 2.9, access: 0.1, rename: 1.1, unlink: 0.1},
  // The worker looks for a fire request on its tick and when an event names it, not per job.
  // The job file fstat'ed once, on the fd it is read through. The pod known from the events:
  // listed on the tick, not per job (0.16-0.26 here, loaded or not; a listing whenever a lane
  // ended with nothing known waiting made it 0.26-0.88, by how far the dispatcher was behind).
  worker: {open: 6.7, access: 0.2, fstat: 1.6, getdents64: 0.6, rename: 1.1, link: 1.05, unlink: 1.1},
};

it('100 trivial jobs cost the dispatcher and the worker no more metadata operations per job than today', async (context) => {
  const why = straceUnavailable();
  if (why !== undefined) {
    console.log(`round-trips.test: skipped, ${why}`);
    context.skip();
    return;
  }
  const home = makeHome('round-trips');
  const jobs = 100;
  const result = await measureRoundTrips({bin: BIN, home: home.dir, jobs, slots: 2});
  const table = roundTripsTable(result);
  expect(home.ls('done')).toHaveLength(jobs);
  // What is counted is the home's: a job's own calls (true) and Node's start are left out, and
  // the calls fjd must make are there.
  expect(result.worker.link, table).toBe(jobs);
  expect(result.dispatcher.rename, table).toBeGreaterThanOrEqual(jobs);
  for (const side of ['dispatcher', 'worker'] as const) {
    expect(totalCalls(result[side]) / jobs, `${side}, all calls:\n${table}`).toBeLessThanOrEqual(TOTAL[side]);
    for (const [call, ceiling] of Object.entries(PER_CALL[side]))
      expect((result[side][call] ?? 0) / jobs, `${side}, ${call}:\n${table}`).toBeLessThanOrEqual(ceiling);
  }
});
