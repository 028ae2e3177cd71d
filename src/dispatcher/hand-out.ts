// Handing out: the pairing of the jobs in line with the workers that may take them, as the
// conductor's pump() runs it. Jobs are taken in line order (intake.next: priority, then
// submission), each judged by the gate: what it holds back is set aside until what holds it
// changes (held.ts; a job no worker known could run is told once per kind of request), what
// it fails is withdrawn into failed/ (ends.ts). A job that may go goes to a worker it fits now,
// or in advance (packing.ts), moved into its pod by the assigner. One that fits nowhere now
// waits in line, and the first of a pairing to wait reserves a worker (reservation.ts); the
// pairing looks past at most LOOK_PAST such jobs, and stops as soon as no worker has room for
// any job, before it takes one from the line: a backlog of any size costs nothing then.
import type {JobMeta} from '../home/job-meta.js';
import type {Assignment} from '../home/transitions.js';
import type {Request} from '../job/resources.js';
import type {OneShot} from '../util/timers.js';
import type {Assigner} from './assigner.js';
import type {Ends} from './ends.js';
import type {DispatcherEvent} from './events.js';
import {judge, unrunnableReason, type GateView} from './gate.js';
import type {Holds} from './held.js';
import {fitsWhole, hasRoom, placeNow, reservable} from './packing.js';
import type {WorkerPool, WorkerState} from './pool.js';
import {Reservation} from './reservation.js';

// How many jobs that fit nowhere now one pairing looks past for one that does.
export const LOOK_PAST = 32;

// The line of jobs, as the intake keeps it (intake.ts).
export interface Line {
  // The first job in line whose file is there and whole, taken out of line.
  next(): JobMeta | undefined;
  // The job has left jobqueue/.
  taken(name: string): void;
  // The dispatcher renamed it out of jobqueue/.
  movedOut(name: string): void;
  hasReady(): boolean;
  readonly open: {readonly size: number};
  readonly queue: {push(meta: JobMeta): void};
}

export interface HandOutParts {
  intake: Line;
  pool: WorkerPool;
  holds: Holds;
  gateView: GateView;
  ends: Pick<Ends, 'failOpen'>;
  assigner: Pick<Assigner, 'assign'>;
  // Jobs waiting for an unknown dependency are judged again after a rescan interval.
  unknownRecheck: Pick<OneShot, 'soon'>;
  rescanMs: number;
  emit(event: DispatcherEvent): void;
  // A job was handed out: its record created (or replaced) by the dispatcher itself.
  handedOut?(assignment: Assignment): void;
}

export class HandOut {
  readonly reservation = new Reservation<WorkerState>();
  // Whether it was told that no worker may take a job (until one becomes ready).
  private toldNoWorkers = false;
  // Whether this dispatcher has handed out a job.
  private handedOutAny = false;
  // The jobs of this pairing that fit nowhere now, put back in line when it ends.
  private readonly waiting: JobMeta[] = [];

  constructor(private readonly parts: HandOutParts) {}

  // Hands out jobs while a worker has room and a job may go.
  pair(): void {
    const {intake, pool} = this.parts;
    const {reservation, waiting} = this;
    reservation.begin();
    try {
      while (this.room(reservation.barred)) {
        const meta = this.nextReady();
        if (meta === undefined) break;
        const {request} = meta;
        const placed = placeNow(request, pool.all(), reservation.barredFor(meta.name));
        if (placed !== undefined) {
          if (!this.assign(meta, placed, request)) break;
          continue;
        }
        waiting.push(meta);
        if (!reservation.made) this.reserve(meta, request);
        if (waiting.length >= LOOK_PAST) break;
      }
    } finally {
      for (const meta of waiting) intake.queue.push(meta);
      waiting.length = 0;
    }
    // Said when no worker takes jobs, or when those there are busy with jobs handed out
    // before this dispatcher started (a worker stays announced while it runs jobs).
    const stuck = !pool.anyReady() || (!this.handedOutAny && !this.room(undefined));
    if (!this.toldNoWorkers && intake.hasReady() && stuck) {
      this.toldNoWorkers = true;
      this.parts.emit({
        type: 'waiting-for-workers',
        jobs: intake.open.size,
        workers: pool.size,
        busy: pool.busy().workers,
      });
    }
  }

  // A worker has become ready: should none be again, that is told again.
  workerReady(): void {
    this.toldNoWorkers = false;
  }

  // Whether a worker other than `barred` may take some job now.
  private room(barred: WorkerState | undefined): boolean {
    const workers = this.parts.pool.all();
    for (let i = 0; i < workers.length; i++) {
      const worker = workers[i];
      if (worker !== undefined && worker !== barred && hasRoom(worker)) return true;
    }
    return false;
  }

  // The first job of this pairing to wait reserves a worker: the one it reserved before, while
  // that one could still run it, else the one with most free of those that could.
  private reserve(meta: JobMeta, request: Request): void {
    const {reservation} = this;
    const kept = reservation.heldBy(meta.name);
    const still = kept !== undefined && kept.ready && fitsWhole(request, kept.capacity);
    reservation.reserve(meta.name, still ? kept : reservable(request, this.parts.pool.all()));
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
      if (holds.hold(verdict, meta) && verdict.by === 'unfittable') {
        const {request, reason} = verdict;
        this.parts.emit({type: 'job-unfittable', name: meta.name, request, reason});
      }
      if (verdict.by === 'unknown') this.parts.unknownRecheck.soon(this.parts.rescanMs);
    }
  }

  // Hands one job to a worker; false when assigning must stop for now (the disk refuses).
  private assign(meta: JobMeta, worker: WorkerState, request: Request): boolean {
    const {intake, pool} = this.parts;
    const assignment = this.parts.assigner.assign(meta, worker.id, worker.host, request);
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
    this.reservation.handedOut(meta.name);
    // Taken back by its owner before we got to it: the worker is still free.
    if (assignment !== 'taken-back') {
      intake.movedOut(meta.name);
      this.parts.handedOut?.(assignment);
      pool.hold(worker, assignment.id, meta.name, meta.group, request);
    }
    this.handedOutAny = true;
    return true;
  }
}
