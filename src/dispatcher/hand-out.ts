// Handing out: the pairing of the jobs in line with the workers that may take them, as the
// conductor's pump() runs it. The pool names a worker that may take one more job
// (nextAvailable); the first job in line that the gate lets go is moved into its pod by the
// assigner. What the gate holds back is set aside until what holds it changes (held.ts); what
// it fails is withdrawn into failed/ (ends.ts).
import type {JobMeta} from '../home/job-meta.js';
import type {OneShot} from '../util/timers.js';
import type {Assigner} from './assigner.js';
import type {Ends} from './ends.js';
import type {DispatcherEvent} from './events.js';
import {judge, unrunnableReason, type GateView} from './gate.js';
import type {Holds} from './held.js';
import type {Intake} from './intake.js';
import type {WorkerPool, WorkerState} from './pool.js';

export interface HandOutParts {
  intake: Intake;
  pool: WorkerPool;
  holds: Holds;
  gateView: GateView;
  ends: Ends;
  assigner: Assigner;
  // Jobs waiting for an unknown dependency are judged again after a rescan interval.
  unknownRecheck: OneShot;
  rescanMs: number;
  emit(event: DispatcherEvent): void;
}

export class HandOut {
  // Whether it was told that no worker may take a job (until one becomes ready).
  private toldNoWorkers = false;
  // Whether this dispatcher has handed out a job.
  private handedOutAny = false;

  constructor(private readonly parts: HandOutParts) {}

  // Hands out jobs while a worker may take one and a job may go.
  pair(): void {
    const {intake, pool} = this.parts;
    for (;;) {
      const worker = pool.nextAvailable();
      if (worker === undefined) break;
      const meta = this.nextReady();
      if (meta === undefined) break;
      if (!this.assign(meta, worker)) break;
    }
    // Said when no worker takes jobs, or when those there are busy with jobs handed out
    // before this dispatcher started (a worker stays announced while it runs jobs).
    const stuck = !pool.anyReady() || (!this.handedOutAny && pool.nextAvailable() === undefined);
    if (!this.toldNoWorkers && intake.hasReady() && stuck) {
      this.toldNoWorkers = true;
      this.parts.emit({type: 'waiting-for-workers', jobs: intake.open.size, workers: pool.size, busy: pool.busy()});
    }
  }

  // A worker has become ready: should none be again, that is told again.
  workerReady(): void {
    this.toldNoWorkers = false;
  }

  // The next job that may be handed out now, or undefined. What the gate holds back is set
  // aside until what holds it changes; what it fails is withdrawn into failed/.
  private nextReady(): JobMeta | undefined {
    const {intake, holds, ends, gateView} = this.parts;
    for (;;) {
      const meta = intake.next();
      if (meta === undefined) return undefined;
      const verdict = judge(meta, gateView, performance.now());
      if (verdict.kind === 'go') {
        holds.judged(meta.name);
        return meta;
      }
      if (verdict.kind === 'fail') {
        holds.judged(meta.name);
        ends.failOpen(meta.name, unrunnableReason(verdict.reason));
        continue;
      }
      if (verdict.by === 'dependency') holds.judged(meta.name);
      holds.hold(verdict, meta);
      if (verdict.by === 'unknown') this.parts.unknownRecheck.soon(this.parts.rescanMs);
    }
  }

  // Hands one job to a worker; false when assigning must stop for now (the disk refuses).
  private assign(meta: JobMeta, worker: WorkerState): boolean {
    const {intake, pool} = this.parts;
    const assignment = this.parts.assigner.assign(meta, worker.id, worker.host);
    if (assignment === 'refused' || assignment === 'pod-closed') {
      // The job stays first in line: for this worker once the disk takes writes again, or
      // for the next worker (this one is leaving).
      intake.queue.push(meta);
      if (assignment === 'refused') return false;
      pool.forget(worker);
      this.parts.emit({type: 'worker-left', worker: worker.id});
      return true;
    }
    intake.taken(meta.name);
    // Taken back by its owner before we got to it: the worker is still free.
    if (assignment !== 'taken-back') pool.hold(worker, assignment.id, meta.name, meta.group);
    this.handedOutAny = true;
    return true;
  }
}
