// How fast jobs end, and how long the rest will take, from the ctime of the entries of done/
// and failed/: linking a job file there sets it, on every host's view of the home alike.
import fs from 'node:fs';

// Jobs that ended longer ago than this do not count towards the rate.
export const RATE_WINDOW_MS = 5 * 60_000;
// The rate is never taken over less than this, so that a burst does not look like a flood.
const MIN_SPAN_MS = 10_000;

export interface EndRate {
  // Jobs ended per second over the window; null when no job ended within RATE_WINDOW_MS.
  jobsPerSecond: number | null;
  // From the oldest of those endings to now (at least 10 s); null with the rate.
  windowSeconds: number | null;
}

// The rate at which the job files `ended` (paths in done/ and failed/) ended.
export function endRate(ended: string[], now: number): EndRate {
  let count = 0;
  let oldest = now;
  for (const file of ended) {
    const stat = fs.statSync(file, {throwIfNoEntry: false});
    if (stat === undefined || stat.ctimeMs < now - RATE_WINDOW_MS) continue;
    count++;
    oldest = Math.min(oldest, stat.ctimeMs);
  }
  if (count === 0) return {jobsPerSecond: null, windowSeconds: null};
  const span = Math.max(MIN_SPAN_MS, now - oldest);
  return {jobsPerSecond: count / (span / 1000), windowSeconds: span / 1000};
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
