// The rate of ends from the ctime of the entries of done/ and failed/ (src/status/rate.ts):
// exact over a few, and over many, from a bounded sample scaled to all of them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, expect, it, vi} from 'vitest';
import {endRate, evenSample} from '../../src/status/rate.js';

const dirs: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, {recursive: true, force: true});
});

// `count` files, each just written (so each ended within the window).
function endedFiles(count: number): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fjd-rate-'));
  dirs.push(dir);
  return Array.from({length: count}, (_, i) => {
    const file = path.join(dir, `job${i}`);
    fs.writeFileSync(file, '');
    return file;
  });
}

it('evenSample takes every item up to the most, else that many spread over the whole list', () => {
  const items = Array.from({length: 100}, (_, i) => i);
  expect(evenSample(items.slice(0, 5), 10)).toEqual([0, 1, 2, 3, 4]);
  expect(evenSample(items, 4)).toEqual([0, 25, 50, 75]);
});

it('endRate stats at most its sample of many ended jobs, and scales what it finds to all of them', () => {
  const files = endedFiles(40);
  const stat = vi.spyOn(fs, 'statSync');
  // 40 jobs ended within the last moments: over the shortest span, 10 s, 4 jobs a second.
  const rate = endRate(files, Date.now() + 1, 10);
  expect(stat).toHaveBeenCalledTimes(10);
  expect(rate.windowSeconds).toBe(10);
  expect(rate.jobsPerSecond).toBeCloseTo(4, 5);
  // Without a sample, all are stat'ed and counted: the same rate.
  stat.mockClear();
  expect(endRate(files, Date.now() + 1, 100).jobsPerSecond).toBeCloseTo(4, 5);
  expect(stat).toHaveBeenCalledTimes(40);
});

it('endRate has no rate when none of the sampled jobs ended within the last 5 minutes', () => {
  const files = endedFiles(20);
  expect(endRate(files, Date.now() + 6 * 60_000, 5)).toEqual({jobsPerSecond: null, windowSeconds: null});
});
