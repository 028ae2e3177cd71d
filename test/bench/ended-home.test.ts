// A home of many ended jobs (bench/ended-home.mjs): `fjd status`, `fjd status JOB` and `fjd logs
// JOB` cost the same number of filesystem metadata operations, counted with strace, on 1,000
// and on 5,000 ended jobs, but for the getdents calls of listing done/ and failed/ (README,
// "Performance"). Counts, not timings. Both homes are larger than the rate's sample
// (RATE_SAMPLE), so the stats it makes are the same in both.
import fs from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it, type TestContext} from 'vitest';
import {middleJob, tracedCalls, writeEndedHome, type Counts} from '../../bench/ended-home.mjs';
import {straceUnavailable} from '../../bench/round-trips.mjs';
import {RATE_SAMPLE} from '../../src/status/rate.js';
import {BIN, TEST_ROOT} from '../helpers/paths.js';

const SIZES = [1000, 5000] as const;
const total = (counts: Counts, without: string[] = []): number =>
  Object.entries(counts).reduce((sum, [call, n]) => (without.includes(call) ? sum : sum + n), 0);

const why = straceUnavailable();

// Skips the test, saying why, where strace cannot trace.
function skipped(context: TestContext): boolean {
  if (why === undefined) return false;
  console.log(`ended-home.test: skipped, ${why}`);
  context.skip();
  return true;
}

describe('a home of many ended jobs', () => {
  // The homes are built once for all the tests (makeHome's are removed after each test, and
  // writing 30,000 files again just after removing as many is slow on ext4).
  const homes = new Map<number, string>();
  beforeAll(() => {
    if (why !== undefined) return;
    fs.mkdirSync(TEST_ROOT, {recursive: true});
    for (const size of SIZES) {
      const dir = fs.realpathSync(fs.mkdtempSync(path.join(TEST_ROOT, `ended-${size}-`)));
      writeEndedHome(dir, size);
      homes.set(size, dir);
    }
  });
  afterAll(() => {
    for (const dir of homes.values()) fs.rmSync(dir, {recursive: true, force: true});
  });

  // Runs `fjd ARGS` under strace on the home of `size` ended jobs.
  function traced(size: number, args: (job: string) => string[]): {calls: Counts; stdout: string} {
    const dir = homes.get(size);
    if (dir === undefined) throw new Error(`no home of ${size} ended jobs`);
    return tracedCalls(BIN, 'fjd', args(middleJob(size)), dir, `${dir}.strace`);
  }

  it('fjd status counts done/ and failed/ from their listings and stats only a sample for the rate', (context) => {
    if (skipped(context)) return;
    const [small, large] = SIZES.map((size) => traced(size, () => ['status']));
    if (small === undefined || large === undefined) throw new Error('no runs');
    expect(large.stdout).toContain('Jobs: 0 open, 0 assigned, 0 running, 4500 finished, 500 failed');
    // Every job was written moments ago: all of them ended within the window.
    expect(large.stdout).toMatch(/^Rate: [\d,.]+ jobs\/(s|min) over the last/m);
    const said = `at ${SIZES[0]}: ${JSON.stringify(small.calls)}; at ${SIZES[1]}: ${JSON.stringify(large.calls)}`;
    // No stat or open per ended job: the same count at both sizes, the rate's sample included.
    expect(total(large.calls, ['getdents64']), said).toBe(total(small.calls, ['getdents64']));
    expect(large.calls.stat ?? 0, said).toBeLessThanOrEqual(RATE_SAMPLE + 30);
    // Listing 4,000 more names takes a few more getdents calls (each returns hundreds).
    expect(large.calls.getdents64 ?? 0, said).toBeLessThanOrEqual((small.calls.getdents64 ?? 0) + 20);
  });

  it('fjd status JOB goes straight to its record and files, listing no directory of ended jobs', (context) => {
    if (skipped(context)) return;
    const [small, large] = SIZES.map((size) => traced(size, (job) => ['status', job]));
    if (small === undefined || large === undefined) throw new Error('no runs');
    expect(large.stdout).toContain(`Job:     ${middleJob(SIZES[1])} (id ${middleJob(SIZES[1])})`);
    expect(large.stdout).toContain('State:   finished');
    const said = `at ${SIZES[0]}: ${JSON.stringify(small.calls)}; at ${SIZES[1]}: ${JSON.stringify(large.calls)}`;
    expect(total(large.calls), said).toBe(total(small.calls));
    expect(total(large.calls), said).toBeLessThanOrEqual(60);
  });

  it('fjd logs JOB goes straight to its record and output, listing no directory of ended jobs', (context) => {
    if (skipped(context)) return;
    const [small, large] = SIZES.map((size) => traced(size, (job) => ['logs', job]));
    if (small === undefined || large === undefined) throw new Error('no runs');
    expect(large.stdout).toBe(`hello from ${middleJob(SIZES[1])}\n`);
    const said = `at ${SIZES[0]}: ${JSON.stringify(small.calls)}; at ${SIZES[1]}: ${JSON.stringify(large.calls)}`;
    expect(total(large.calls), said).toBe(total(small.calls));
    expect(total(large.calls), said).toBeLessThanOrEqual(60);
  });
});
