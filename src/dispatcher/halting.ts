// The halt of a run (--halt, halt.ts): counts what ends during this run as the ledger tells
// it, and once the rule is reached says so and, for `now`, asks each worker to cancel the jobs
// handed to it, with the request `fjd cancel` makes (home/cancel-requests.ts): they end in
// failed/ as "cancelled". The conductor hands out nothing more once halted, and ends when no
// job handed out is left; the open jobs stay in jobqueue/ for a later dispatcher.
import {CANCELLED, requestWorkerCancel} from '../home/cancel-requests.js';
import type {HomePaths} from '../home/layout.js';
import type {DispatcherEvent, HaltCause} from './events.js';
import {haltReached, type HaltRule} from './halt.js';
import type {Outcome} from './ledger.js';
import type {WorkerPool} from './pool.js';

export interface HaltingParts {
  paths: HomePaths;
  pool: WorkerPool;
  // How many jobs are open in jobqueue/ now.
  open: () => number;
  emit: (event: DispatcherEvent) => void;
}

export class Halting {
  private failed = 0;
  private ended = 0;
  // Why this run halted; undefined while it has not.
  cause: HaltCause | undefined;

  constructor(
    private readonly rule: HaltRule | undefined,
    private readonly parts: HaltingParts,
  ) {}

  get halted(): boolean {
    return this.cause !== undefined;
  }

  // A job ended during this run (not one found failed from before it).
  counted(outcome: Outcome, reason: string | null): void {
    this.ended++;
    if (outcome === 'failed' && reason !== CANCELLED) this.failed++;
    const {rule, parts} = this;
    if (rule === undefined || this.halted) return;
    const handedOut = parts.pool.handedOut();
    const left = parts.open() + handedOut;
    if (!haltReached(rule, {failed: this.failed, ended: this.ended, left})) return;
    this.cause = {rule: rule.text, when: rule.when, failed: this.failed, jobs: this.ended + left};
    if (rule.when === 'now') this.cancelHandedOut();
    parts.emit({type: 'halting', cause: this.cause, handedOut, open: parts.open()});
  }

  // Asks every worker to stop the jobs handed to it (running, or waiting in its pod).
  private cancelHandedOut(): void {
    for (const worker of this.parts.pool.all()) {
      for (const id of worker.inflight.keys()) requestWorkerCancel(this.parts.paths, worker.id, id);
    }
  }
}
