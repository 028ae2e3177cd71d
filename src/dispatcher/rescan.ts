// The rescan loop's pacing: the directories are looked at again every rescanMs (four times
// less often when nothing is queued and nothing runs, eight when besides the dispatcher's
// watches work, so that only other hosts' changes wait for a rescan: an idle home costs next
// to nothing on the file server), and
// never more than about 2% of the time, counting the cost of the look alone (the listings,
// the workers' heartbeats), not the jobs handed out after it: counted in, 200 workers and a
// dispatcher without inotify were paired at most every few seconds, and 600 jobs took 85 s
// instead of 8 s. What a rescan looks at is the dispatcher's (dispatcher.ts: rescan).
import type {OneShot, Timers} from '../util/timers.js';

// How long a look may take, against the time until the next: 1 to 50, about 2%.
const LOOK_SHARE = 50;
// How much less often an idle home is looked at: polling, and watching.
const QUIET_FACTOR = 4;
const QUIET_WATCHED_FACTOR = 8;

// How long to wait before the next rescan, after one whose look took `lookMs`.
export function nextRescanDelay({
  rescanMs,
  lookMs,
  quiet,
  watched = false,
}: {
  rescanMs: number;
  lookMs: number;
  quiet: boolean;
  watched?: boolean;
}): number {
  const factor = quiet ? (watched ? QUIET_WATCHED_FACTOR : QUIET_FACTOR) : 1;
  return Math.max(rescanMs * factor, lookMs * LOOK_SHARE);
}

export interface RescanSteps {
  // Runs the rescan, as every action of the dispatcher runs (its guard).
  run(action: () => void): void;
  // Looks at the directories again; false when it did not (the home unsafe, or gone).
  look(): boolean;
  // Hands out what the look found.
  pair(): void;
  // Nothing is queued and nothing runs.
  quiet(): boolean;
  // The dispatcher's watches work (absent: they do not).
  watched?(): boolean;
}

export class RescanLoop {
  private readonly timer: OneShot;

  constructor(
    private readonly rescanMs: number,
    private readonly steps: RescanSteps,
    timers: Timers,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.timer = timers.oneShot(() => this.rescan());
  }

  start(ms = this.rescanMs): void {
    this.timer.start(ms);
  }

  private rescan(): void {
    const started = this.clock();
    let looked = started;
    this.steps.run(() => {
      if (!this.steps.look()) return;
      looked = this.clock();
      this.steps.pair();
    });
    const quiet = this.steps.quiet();
    const watched = this.steps.watched?.() ?? false;
    this.timer.start(nextRescanDelay({rescanMs: this.rescanMs, lookMs: looked - started, quiet, watched}));
  }
}
