// The filesystem metadata operations per job of the dispatcher and a worker, counted with
// strace (bench/round-trips.mjs): a ceiling a little above today's count, so that a change
// that adds round trips on NFS fails here. A count, not a timing: stable on a loaded machine.
import {expect, it} from 'vitest';
import {measureRoundTrips, roundTripsTable, straceUnavailable, totalCalls} from '../../bench/round-trips.mjs';
import {makeHome} from '../helpers/home.js';
import {BIN} from '../helpers/paths.js';

// Per job, on 100 trivial jobs and one worker of 2 slots (README, "Performance"); measured
// 13.0-15.0 and 22.5-24.4 on a loaded machine (the rescans and listings vary a little with
// timing).
const CEILING = {dispatcher: 16, worker: 26};

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
  expect(totalCalls(result.dispatcher) / jobs, table).toBeLessThanOrEqual(CEILING.dispatcher);
  expect(totalCalls(result.worker) / jobs, table).toBeLessThanOrEqual(CEILING.worker);
  // What is counted is the home's: a job's own calls (true) and Node's start are left out, and
  // the calls fjd must make are there.
  expect(result.worker.link, table).toBe(jobs);
  expect(result.dispatcher.rename, table).toBeGreaterThanOrEqual(jobs);
  // A job with no priority override costs the dispatcher no unlink (nor an open) of one.
  expect(result.dispatcher.unlink ?? 0, table).toBeLessThan(jobs / 10);
  // The dispatcher opens per job: the job file, its record to reserve it, and the record once
  // per batch of its events (today 4.3-4.5; 5.3 when the two events of its own write read it
  // twice).
  expect((result.dispatcher.open ?? 0) / jobs, table).toBeLessThanOrEqual(4.8);
});
