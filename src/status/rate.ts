// How fast jobs end, and how long the rest will take, from the ctime of the entries of done/
// and failed/: linking a job file there sets it, on every host's view of the home alike. A
// home of many ended jobs is not stat'ed entry by entry: at most RATE_SAMPLE of them are, spread
// evenly over the listing, and what they show is scaled to all (sampledEnds).
import fs from 'node:fs';

// Jobs that ended longer ago than this do not count towards the rate.
export const RATE_WINDOW_MS = 5 * 60_000;
// The rate is never taken over less than this, so that a burst does not look like a flood.
const MIN_SPAN_MS = 10_000;
// The most entries of done/ and failed/ stat'ed for the rate: each is a round trip on NFS.
export const RATE_SAMPLE = 500;

export interface EndRate {
  // Jobs ended per second over the window; null when no job ended within RATE_WINDOW_MS.
  jobsPerSecond: number | null;
  // From the oldest of those endings to now (at least 10 s); null with the rate.
  windowSeconds: number | null;
}

// Every entry when there are at most `most`, else `most` of them spread evenly over the list.
export function evenSample<T>(items: readonly T[], most: number): T[] {
  if (items.length <= most) return [...items];
  const picked: T[] = [];
  for (let i = 0; i < most; i++) picked.push(items[Math.floor((i * items.length) / most)] as T);
  return picked;
}

// The rate at which the job files `ended` (paths in done/ and failed/) ended: from all of
// them up to RATE_SAMPLE, else from a sample, the count found in the window scaled by how many
// there are for each one stat'ed.
export function endRate(ended: readonly string[], now: number, most = RATE_SAMPLE): EndRate {
  const sample = evenSample(ended, most);
  let count = 0;
  let oldest = now;
  for (const file of sample) {
    const stat = fs.statSync(file, {throwIfNoEntry: false});
    if (stat === undefined || stat.ctimeMs < now - RATE_WINDOW_MS) continue;
    count++;
    oldest = Math.min(oldest, stat.ctimeMs);
  }
  if (count === 0) return {jobsPerSecond: null, windowSeconds: null};
  const span = Math.max(MIN_SPAN_MS, now - oldest);
  const scaled = sample.length === 0 ? 0 : (count * ended.length) / sample.length;
  return {jobsPerSecond: scaled / (span / 1000), windowSeconds: span / 1000};
}

// Seconds until `left` jobs have ended at this rate; null without a rate.
export function etaSeconds(rate: EndRate, left: number): number | null {
  if (left === 0) return 0;
  return rate.jobsPerSecond === null ? null : left / rate.jobsPerSecond;
}

// A span as people say it roughly: "40 s", "3 min", "2.5 h", "3 days".
export function roughDuration(seconds: number): string {
  if (seconds < 90) return `${Math.max(0, Math.round(seconds))} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  if (seconds < 48 * 3600) return `${Number((seconds / 3600).toFixed(1))} h`;
  return `${Math.round(seconds / 86_400)} days`;
}
