// How many new job files the intake found, told a batch at a time ("Found 40 new jobs to
// dispatch"), not one line per file.
import type {OneShot, Timers} from '../util/timers.js';

// How long "found" reports are gathered before one is told.
const FOUND_REPORT_MS = 200;

export class FoundReport {
  private count = 0;
  private readonly report: OneShot;

  constructor(timers: Timers, tell: (count: number) => void) {
    this.report = timers.oneShot(() => {
      tell(this.count);
      this.count = 0;
    });
  }

  // `count` more were found.
  add(count: number): void {
    this.count += count;
    this.report.soon(FOUND_REPORT_MS);
  }
}
