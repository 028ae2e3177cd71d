// When the ended jobs ended, for the chart of jobs ended per minute and the newest failures:
// the ctime of each entry of done/ and failed/ (linking a job file there sets it, on every
// host's view of the home alike, as for the rate of `fjd status`). An entry is stat'ed once,
// the first time it is listed, and forgotten when it leaves (a retried job), so a poll of a
// home of 100,000 ended jobs costs its two listings and a stat per job that ended since.
import fs from 'node:fs';
import path from 'node:path';
import type {HomePaths} from '../home/layout.js';
import {isIgnoredName} from '../home/names.js';

export const MINUTE_MS = 60_000;
// The most minutes the chart shows: the last two days of a longer run.
export const MOST_MINUTES = 2 * 24 * 60;

export interface EndedJob {
  id: string;
  failed: boolean;
  endedMs: number;
}

// One point of the chart: the jobs that ended in the minute from `minute` (ms since the epoch).
export interface MinutePoint {
  minute: number;
  finished: number;
  failed: number;
}

// A point per minute from the first ending to the last (a minute with none ends is 0, 0), the
// last MOST_MINUTES of them.
export function perMinute(ended: Iterable<EndedJob>, most = MOST_MINUTES): MinutePoint[] {
  const counts = new Map<number, MinutePoint>();
  let first = Infinity;
  let last = -Infinity;
  for (const job of ended) {
    const minute = Math.floor(job.endedMs / MINUTE_MS) * MINUTE_MS;
    first = Math.min(first, minute);
    last = Math.max(last, minute);
    const point = counts.get(minute) ?? {minute, finished: 0, failed: 0};
    if (job.failed) point.failed++;
    else point.finished++;
    counts.set(minute, point);
  }
  const points: MinutePoint[] = [];
  for (let minute = Math.max(first, last - (most - 1) * MINUTE_MS); minute <= last; minute += MINUTE_MS)
    points.push(counts.get(minute) ?? {minute, finished: 0, failed: 0});
  return points;
}

function listing(dir: string): string[] {
  try {
    return fs.readdirSync(dir).filter((name) => !isIgnoredName(name));
  } catch {
    return [];
  }
}

// The ended jobs of a home, kept up to date by refresh().
export class EndedJobs {
  private readonly known = new Map<string, EndedJob>();

  constructor(private readonly paths: HomePaths) {}

  // Lists done/ and failed/ again; returns every ended job, the newest last.
  refresh(): EndedJob[] {
    const seen = new Set<string>();
    for (const [dir, failed] of [
      [this.paths.done, false],
      [this.paths.failed, true],
    ] as const) {
      for (const id of listing(dir)) {
        const key = `${failed ? 'f' : 'd'}/${id}`;
        seen.add(key);
        if (this.known.has(key)) continue;
        const stat = fs.statSync(path.join(dir, id), {throwIfNoEntry: false});
        if (stat === undefined || !stat.isFile()) continue;
        this.known.set(key, {id, failed, endedMs: stat.ctimeMs});
      }
    }
    for (const key of this.known.keys()) if (!seen.has(key)) this.known.delete(key);
    return [...this.known.values()].sort((a, b) => a.endedMs - b.endedMs);
  }
}
