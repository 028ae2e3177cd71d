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

// The ended jobs of one directory (done/ or failed/), by id.
class EndedDir {
  readonly jobs = new Map<string, EndedJob>();

  constructor(
    private readonly dir: string,
    private readonly failed: boolean,
  ) {}

  // Lists the directory again; whether any job came or went.
  refresh(): boolean {
    const names = listing(this.dir);
    let changed = false;
    let listed = 0;
    for (const id of names) {
      if (this.jobs.has(id)) {
        listed++;
        continue;
      }
      const stat = fs.statSync(path.join(this.dir, id), {throwIfNoEntry: false});
      if (stat === undefined || !stat.isFile()) continue;
      this.jobs.set(id, {id, failed: this.failed, endedMs: stat.ctimeMs});
      listed++;
      changed = true;
    }
    // Some known job is no longer listed (retried): only then is a set of the listing made.
    if (listed < this.jobs.size) {
      const present = new Set(names);
      for (const id of this.jobs.keys()) if (!present.has(id)) this.jobs.delete(id);
      changed = true;
    }
    return changed;
  }
}

// The ended jobs of a home, kept up to date by refresh().
export class EndedJobs {
  private readonly dirs: EndedDir[];
  private ordered: EndedJob[] = [];
  private points: MinutePoint[] = [];

  constructor(paths: HomePaths) {
    this.dirs = [new EndedDir(paths.done, false), new EndedDir(paths.failed, true)];
  }

  // Lists done/ and failed/ again: every ended job, the newest last, and the chart's points.
  refresh(): {ended: readonly EndedJob[]; perMinute: readonly MinutePoint[]} {
    let changed = false;
    for (const dir of this.dirs) changed = dir.refresh() || changed;
    if (changed) {
      this.ordered = this.dirs.flatMap((dir) => [...dir.jobs.values()]).sort((a, b) => a.endedMs - b.endedMs);
      this.points = perMinute(this.ordered);
    }
    return {ended: this.ordered, perMinute: this.points};
  }
}
