// What a worker takes from its pod: the jobs there in hand-out order (pod.ts), each with its
// record (read once) and its request, taken while they fit the free slots (first fit: a job
// that does not fit now waits, and those behind it that fit go ahead). A job this worker could
// never fit fails with the reason; jobs that wait while long jobs run here are given back for
// a worker with room elsewhere, and so are those not started when the worker drains.
import type {JobRecord} from '../home/record.js';
import {FencedError, recordFor} from '../home/transitions.js';
import {FjdError, describeError, errnoCode} from '../errors.js';
import {DEFAULT_REQUEST, type Request} from '../job/resources.js';
import {formatDuration} from '../util/duration.js';
import {isRetryableMoveError} from '../util/transient.js';
import type {OneShot} from '../util/timers.js';
import type {DirEvent} from '../util/watch-dir.js';
import {closeAttempt, type Attempts} from './attempt.js';
import type {WorkerCore} from './core.js';
import type {Allocation} from './slots.js';
import {PodOrder} from './pod.js';
import type {WorkerPresence} from './presence.js';
import {unrunnable, type PutBack} from './reason.js';
import type {Recorder} from './recorder.js';

// How long no job may have started here, with a job waiting in the pod for room, before that
// job is given back for another worker: what runs here is long.
const GIVE_BACK_AFTER_MS = 1000;

export interface Taken {
  id: string;
  record: JobRecord;
  // What it holds: its slot, cpus, memory and GPUs (taken from the worker's slots).
  allocation: Allocation;
}

export interface IntakeHooks {
  // Look at the pod again (trouble passed, a refused job is out of the way).
  again(): void;
  // Something went wrong that the worker cannot go on from (or it was fenced).
  failed(error: unknown): void;
}

export class PodIntake {
  private pod: PodOrder | undefined;
  // Jobs in the pod that wait for room, with their records.
  private readonly waiting = new Map<string, JobRecord>();
  // Jobs failing because this worker could never run them (they take no slot).
  private readonly refusing = new Set<string>();
  private lastStartAt = 0;
  private relistedAt = -Infinity;
  private readonly giveBackTimer: OneShot;
  private readonly retryTimer: OneShot;

  constructor(
    private readonly core: WorkerCore,
    private readonly presence: WorkerPresence,
    private readonly recorder: Recorder,
    private readonly attempts: Attempts,
    private readonly hooks: IntakeHooks,
  ) {
    this.giveBackTimer = core.timers.oneShot(() => this.giveBackWaiting());
    this.retryTimer = core.timers.oneShot(() => hooks.again());
  }

  // The pod of the worker, once it has registered.
  open(): void {
    this.pod = new PodOrder(this.core.paths, this.core.id);
  }

  // The pod's jobs, in hand-out order, not running here yet.
  pending(): string[] {
    return (this.pod?.jobs(this.presence.watching) ?? []).filter((id) => !this.core.lanes.has(id));
  }

  // What the pod's watch reported.
  podChanged(event: DirEvent, name: string | undefined): void {
    this.pod?.event(event, name);
  }

  // Job `id` has left the pod by this worker's hand.
  left(id: string): void {
    this.pod?.left(id, this.presence.watching);
  }

  // The worker's tick: a dispatcher on another host raises no event here, so the pod is
  // listed at the next look; with every slot taken nothing more can start here, and it is
  // listed (for jobs handed out there, given back if they wait) once per heartbeat, not at
  // every tick. A lane that ends lists it at once where jobs come in that no event tells of.
  ticked(): void {
    const now = performance.now();
    if (this.core.lanes.size < this.core.capacity.slots || now - this.relistedAt >= this.core.heartbeatMs) {
      this.relistedAt = now;
      this.pod?.relist();
    }
  }

  // A lane has ended: if jobs come in that no event tells of, the pod is listed at the next
  // look, for what a dispatcher on another host handed out meanwhile. Otherwise the events say
  // what comes, and the tick lists the pod for what they may have missed: a listing per job
  // whenever the dispatcher is a little behind would be round trips on NFS for nothing.
  laneEnded(): void {
    if (this.pod?.eventsMiss === true) this.pod.relist();
  }

  // The jobs to start now, in hand-out order, each fitting what is free once those before it
  // have taken theirs (the caller takes their slots, in this order, at once).
  take(pending: readonly string[]): Taken[] {
    const {core} = this;
    for (const id of [...this.waiting.keys()]) if (!pending.includes(id)) this.waiting.delete(id);
    const taken: Taken[] = [];
    let room = core.capacity.slots - core.lanes.size;
    for (const id of pending) {
      if (room <= 0) break;
      if (this.refusing.has(id)) continue;
      const record = this.waiting.get(id) ?? this.readRecord(id);
      if (record === undefined) continue;
      if (record.state === 'finished' || record.state === 'failed') {
        // Ended already: a name seen in an event is not in the pod (a listing tells).
        this.pod?.forget(id);
        this.pod?.relist();
        continue;
      }
      const request: Request = record.request ?? DEFAULT_REQUEST;
      const never = core.slots.neverFits(request);
      if (never !== undefined) {
        this.refuse(record, never);
        continue;
      }
      const allocation = core.slots.allocate(request);
      if (allocation === undefined) {
        this.waiting.set(id, record);
        continue;
      }
      this.waiting.delete(id);
      this.lastStartAt = performance.now();
      taken.push({id, record, allocation});
      room--;
    }
    if (this.waiting.size > 0) this.giveBackTimer.soon(GIVE_BACK_AFTER_MS);
    else this.giveBackTimer.clear();
    return taken;
  }

  // Gives back every job of the pod not started here (the worker drains).
  giveBackAll(reason: PutBack): void {
    this.recorder.giveBackWaiting(this.pending(), reason);
    this.waiting.clear();
  }

  private readRecord(id: string): JobRecord | undefined {
    try {
      return recordFor(this.core.paths, id);
    } catch (error) {
      const code = errnoCode(error);
      if (!isRetryableMoveError(code)) throw error;
      // Its record cannot be read now: the job waits in the pod, and is looked at again soon.
      if (this.presence.trouble !== code) {
        this.presence.trouble = code;
        this.core.log(
          `${id}: cannot start it now (${describeError(error)}); trying again every ${formatDuration(this.core.retryIoMs)}`,
        );
      }
      this.retryTimer.soon(this.core.retryIoMs);
      return undefined;
    }
  }

  // Fails a job this worker could never run (it asks for more than the worker has in all).
  private refuse(record: JobRecord, why: string): void {
    const {id} = record;
    this.refusing.add(id);
    const failure = unrunnable(new FjdError('JOB_BAD_VALUE', `the job ${why}`));
    closeAttempt(this.attempts.begin(record), null, null, failure, 'failed');
    this.recorder.end(record, 'failed', failure).then(
      () => {
        this.refusing.delete(id);
        this.hooks.again();
      },
      (error: unknown) => {
        this.refusing.delete(id);
        this.hooks.failed(error);
      },
    );
  }

  // The jobs that wait for room go back to jobqueue/, for a worker with room elsewhere, once no
  // job has started here for a while; otherwise they wait a while more.
  private giveBackWaiting(): void {
    if (this.core.leaving !== undefined || this.waiting.size === 0) return;
    const quietFor = performance.now() - this.lastStartAt;
    if (quietFor < GIVE_BACK_AFTER_MS) {
      this.giveBackTimer.start(GIVE_BACK_AFTER_MS - quietFor);
      return;
    }
    try {
      this.recorder.giveBackWaiting([...this.waiting.keys()], {kind: 'given-back'});
    } catch (error) {
      if (!(error instanceof FencedError)) throw error;
      this.hooks.failed(error);
    }
    this.waiting.clear();
  }
}
