// The chart's data: a point per minute from the first ending to the last, finished and failed
// apart, a minute without endings included as zeros; and the ended jobs of a home, each
// stat'ed once and forgotten when it leaves.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, expect, it} from 'vitest';
import {homePaths} from '../../src/home/layout.js';
import {EndedJobs, MINUTE_MS, perMinute} from '../../src/dashboard/timeline.js';

const T0 = Date.UTC(2026, 11, 1, 12, 0, 0);

it('has a point per minute of the run, zeros for a quiet minute, finished and failed apart', () => {
  const ends = [
    {id: 'a', failed: false, endedMs: T0 + 5_000},
    {id: 'b', failed: true, endedMs: T0 + 59_999},
    {id: 'c', failed: false, endedMs: T0 + 3 * MINUTE_MS},
    {id: 'd', failed: false, endedMs: T0 + 3 * MINUTE_MS + 1},
  ];
  expect(perMinute(ends)).toEqual([
    {minute: T0, finished: 1, failed: 1},
    {minute: T0 + MINUTE_MS, finished: 0, failed: 0},
    {minute: T0 + 2 * MINUTE_MS, finished: 0, failed: 0},
    {minute: T0 + 3 * MINUTE_MS, finished: 2, failed: 0},
  ]);
  expect(perMinute([])).toEqual([]);
});

it('keeps the last minutes of a long run', () => {
  const ends = [
    {id: 'a', failed: false, endedMs: T0},
    {id: 'b', failed: false, endedMs: T0 + 9 * MINUTE_MS},
  ];
  const points = perMinute(ends, 3);
  expect(points.map((p) => (p.minute - T0) / MINUTE_MS)).toEqual([7, 8, 9]);
  expect(points.at(-1)).toEqual({minute: T0 + 9 * MINUTE_MS, finished: 1, failed: 0});
});

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => fs.rmSync(dir, {recursive: true, force: true})));

it('lists done/ and failed/, stats an entry once, forgets one that left', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fjd-timeline-'));
  dirs.push(root);
  const paths = homePaths(root);
  fs.mkdirSync(paths.done, {recursive: true});
  fs.mkdirSync(paths.failed, {recursive: true});
  fs.writeFileSync(path.join(paths.done, 'a'), '');
  fs.writeFileSync(path.join(paths.failed, 'b'), '');
  fs.writeFileSync(path.join(paths.done, '.incoming'), '');
  const ended = new EndedJobs(paths);
  const first = ended.refresh().ended;
  expect(first.map((job) => [job.id, job.failed]).sort()).toEqual([
    ['a', false],
    ['b', true],
  ]);
  const a = first.find((job) => job.id === 'a');
  expect(a?.endedMs).toBe(fs.statSync(path.join(paths.done, 'a')).ctimeMs);
  fs.rmSync(path.join(paths.failed, 'b'));
  fs.writeFileSync(path.join(paths.done, 'c'), '');
  const second = ended.refresh();
  expect(second.ended.map((job) => job.id).sort()).toEqual(['a', 'c']);
  expect(second.perMinute.reduce((sum, p) => sum + p.finished + p.failed, 0)).toBe(2);
  // Nothing changed: the same answer, without a stat.
  expect(ended.refresh()).toEqual(second);
});
