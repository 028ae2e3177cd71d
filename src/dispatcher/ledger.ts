// The ledger of outcomes: what this dispatcher has seen end (finished, failed, put back in
// the queue), counted for its summary and told as events; the failed jobs with their reasons;
// the failure log (home/failure-log.ts), so that a failure is told once across dispatchers;
// and how the jobs of the home ended, by the names a dependency may use for them (done/ and
// failed/ as listed at the start, then every end seen), for the gate.
import type {HomePaths} from '../home/layout.js';
import {listDir} from '../home/atomic.js';
import {dependencyKeys, isIgnoredName} from '../home/names.js';
import {readRecord} from '../home/record.js';
import {FailureLog} from '../home/failure-log.js';
import type {DispatcherEvent, DispatchSummary} from './events.js';

export type Outcome = 'finished' | 'failed';

export class Ledger {
  readonly summary: DispatchSummary = {
    finished: 0,
    failed: 0,
    requeued: 0,
    failedJobs: [],
    wallMs: 0,
    interrupted: false,
    halted: null,
    home: {finished: 0, failed: 0, open: 0},
  };
  // done/ and failed/ as listed at the start, less the failures counted as seen by this run.
  private readonly endedBefore = {finished: 0, failed: 0};
  private readonly outcomes = new Map<string, Outcome>();
  private failures: FailureLog | undefined;

  constructor(
    private readonly paths: HomePaths,
    private readonly emit: (event: DispatcherEvent) => void,
    // A job ended during this run (not one that had failed before it: noticeMissedFailures).
    private readonly counted: (outcome: Outcome, reason: string | null) => void = () => undefined,
  ) {}

  // Lists done/ and failed/ once, at the start: how their jobs ended. Returns the ids in failed/.
  load(): string[] {
    this.failures = new FailureLog(this.paths);
    let failed: string[] = [];
    for (const [dir, outcome] of [
      [this.paths.done, 'finished'],
      [this.paths.failed, 'failed'],
    ] as const) {
      const ids = listDir(dir).filter((id) => !isIgnoredName(id));
      for (const id of ids) {
        for (const key of dependencyKeys(id)) {
          // Of several jobs of one name, a later (numbered) one decides.
          if (!this.outcomes.has(key) || id !== key) this.outcomes.set(key, outcome);
        }
      }
      if (outcome === 'failed') failed = ids;
      this.endedBefore[outcome] = ids.length;
    }
    return failed;
  }

  // Jobs that failed while no dispatcher ran (see home/failure-log.ts) count as failures seen
  // now. `failed` is failed/ as listed at the start: what failed since was seen failing here.
  noticeMissedFailures(failed: string[], handedOut: (id: string) => boolean): void {
    for (const id of this.failures?.unseen(failed.filter((id) => !handedOut(id))) ?? []) {
      const record = readRecord(this.paths, id);
      this.endedBefore.failed--;
      this.tell(id, record?.name ?? id, 'failed', record?.reason ?? null);
    }
  }

  // A job ended (or failed without running): counted, told, and noted under the names a
  // dependency may use for it, which are returned (what waited for them may go).
  ended(id: string, name: string, outcome: Outcome, reason: string | null): string[] {
    this.tell(id, name, outcome, reason);
    const keys = dependencyKeys(name);
    for (const key of keys) this.outcomes.set(key, outcome);
    this.counted(outcome, reason);
    return keys;
  }

  // A job that had started went back to the queue.
  requeued(id: string, name: string, reason: string | null): void {
    this.summary.requeued++;
    this.emit({type: 'job-requeued', id, name, reason});
  }

  // How the newest job noted under `key` ended.
  outcomeOf(key: string): Outcome | undefined {
    return this.outcomes.get(key);
  }

  // The summary at the end, with the home's totals (`open`: jobs not yet ended).
  close(wallMs: number, open: number): DispatchSummary {
    this.summary.wallMs = wallMs;
    this.summary.home = {
      finished: this.endedBefore.finished + this.summary.finished,
      failed: this.endedBefore.failed + this.summary.failed,
      open,
    };
    return this.summary;
  }

  private tell(id: string, name: string, outcome: Outcome, reason: string | null): void {
    if (outcome === 'finished') this.summary.finished++;
    else {
      this.summary.failed++;
      this.summary.failedJobs.push({id, reason});
    }
    this.emit({type: 'job-ended', id, name, outcome, reason});
    if (outcome === 'failed') this.failures?.noteFailed(id);
  }
}
