// How jobs leave the dispatcher's hands, and what follows: a handed-out job is seen to have
// left its worker (from its landing in done/, seen by this host's watch: landings.ts; else from
// its record, or, where that cannot be read now, from the directories),
// finished, failed or back in jobqueue/; an open job is withdrawn into failed/ (`fjd cancel`,
// or a gate verdict) or refused. Each end is counted and told by the ledger, gives its group
// room again, and lets go the jobs that waited for it (held.ts).
import fs from 'node:fs';
import path from 'node:path';
import type {HomePaths} from '../home/layout.js';
import {podDir, recordIdOf} from '../home/paths.js';
import {readRecord} from '../home/record.js';
import {carryOutOpenCancels, requestOpenCancel} from '../home/cancel-requests.js';
import type {Holds} from './held.js';
import type {Intake} from './intake.js';
import type {Landings} from './landings.js';
import type {Ledger, Outcome} from './ledger.js';
import {SHORT_JOB_MS} from './packing.js';
import type {WorkerPool, WorkerState} from './pool.js';

export interface EndsParts {
  paths: HomePaths;
  intake: Intake;
  pool: WorkerPool;
  holds: Holds;
  ledger: Ledger;
  landings: Pick<Landings, 'take'>;
  // Whether the home is there (it may be gone for a moment).
  homeThere(): boolean;
  // Whether files may be moved through the home's directories now (none is unsafe).
  mayMove(): boolean;
}

export class Ends {
  constructor(private readonly parts: EndsParts) {}

  // .fjd/records/ID.json changed: if ID was handed out, whether it has ended. This is how the
  // dispatcher learns of an end at once, without waiting for the worker to be idle. Whether ID
  // was handed out (and so something may have changed).
  recordChanged(name: string | undefined): boolean {
    const jobId = name === undefined ? undefined : recordIdOf(name);
    const worker = jobId === undefined ? undefined : this.parts.pool.owner(jobId);
    if (jobId === undefined || worker === undefined) return false;
    this.settle(worker, jobId);
    return true;
  }

  // At a rescan: what has left each worker that holds jobs, from one listing of its pod. A job
  // is in its pod until its record says where it went, so only the records of those gone from
  // it are read (not one per job handed out: 1,024 at 1,024 slots, at every rescan).
  settleFromPods(): void {
    for (const worker of this.parts.pool.all()) {
      if (worker.inflight.size === 0) continue;
      let listed: Set<string>;
      try {
        listed = new Set(fs.readdirSync(podDir(this.parts.paths, worker.id)));
      } catch {
        // Closed (the worker is leaving) or taken away (lost), or the home is away: the
        // records, and the directories where they cannot be read, tell.
        this.settleAll(worker);
        continue;
      }
      for (const jobId of [...worker.inflight.keys()]) if (!listed.has(jobId)) this.settle(worker, jobId);
    }
  }

  // Reads the records of a worker's jobs and takes note of those that have left it.
  settleAll(worker: WorkerState): void {
    for (const jobId of [...worker.inflight.keys()]) this.settle(worker, jobId);
  }

  // Whether a job handed to `worker` has left it, from its record; if so, what follows.
  settle(worker: WorkerState, jobId: string): void {
    const name = worker.inflight.get(jobId);
    if (name === undefined) return;
    const {pool, holds, ledger} = this.parts;
    const landedMs = this.parts.landings.take(jobId);
    if (landedMs !== undefined) {
      this.landed(worker, jobId, name, landedMs);
      return;
    }
    const record = readRecord(this.parts.paths, jobId);
    const state = record?.state ?? this.placeOf(worker, jobId);
    if (state === 'assigned' || state === 'running') return;
    // Its group has room again.
    const group = pool.release(worker, jobId);
    if (state === 'finished' || state === 'failed') {
      // How long jobs take there decides whether it gets a second one in advance; a job that
      // failed (cancelled, killed) says little about that.
      if (state === 'finished') worker.lastDurationMs = record?.durationMs ?? undefined;
      this.ended(jobId, name, state, record?.reason ?? null, group);
      return;
    }
    if (group !== undefined) holds.releaseGroup(group);
    // A job given back by a worker busy with a long one: no more jobs in advance there until
    // it has finished one (the job keeps its place in line and would come straight back).
    worker.lastDurationMs = undefined;
    // Back in jobqueue/ (or its record is gone). Told only if it had started: a job given back
    // before it started is simply in the queue again.
    const outcome = record?.attempts.at(-1)?.outcome;
    // Stopped now by its own worker (fired with --now, a TERM): that worker is leaving, and
    // handing it the job again would only meet its closed pod (a record briefly "assigned").
    if (record?.worker === worker.id && outcome === 'requeued') worker.ready = false;
    if (record === undefined || (record.worker === worker.id && (outcome === 'requeued' || outcome === 'lost'))) {
      ledger.requeued(jobId, name, record?.reason ?? null);
    }
  }

  // A job seen landing in done/ `ms` after its hand-out has finished: its record is read only
  // for how long it ran when that matters (a job that took a second or more, from its hand-out:
  // whether its worker takes jobs in advance depends on it).
  private landed(worker: WorkerState, jobId: string, name: string, ms: number): void {
    const group = this.parts.pool.release(worker, jobId);
    worker.lastDurationMs = ms < SHORT_JOB_MS ? ms : (readRecord(this.parts.paths, jobId)?.durationMs ?? undefined);
    this.ended(jobId, name, 'finished', null, group);
  }

  // A job ended (or failed without running: refused, withdrawn): the ledger counts and tells
  // it, its group (`group`, for a job that was handed out) has room again, and what waited for
  // it may go.
  ended(id: string, name: string, outcome: Outcome, reason: string | null, group?: string): void {
    const keys = this.parts.ledger.ended(id, name, outcome, reason);
    if (group !== undefined) this.parts.holds.releaseGroup(group);
    for (const key of keys) this.parts.holds.releaseDependents(key);
  }

  // Fails an open job that cannot run, the way `fjd cancel` withdraws one (a request that is
  // also the log, carried out at once by this lock holder).
  failOpen(name: string, reason: string): void {
    requestOpenCancel(this.parts.paths, name, reason);
    this.withdraw();
  }

  // Withdraws the open jobs that `fjd cancel` asked for (src/home/cancel-requests.ts) into failed/.
  withdraw(): void {
    for (const done of carryOutOpenCancels(this.parts.paths, this.parts.mayMove)) {
      this.parts.intake.taken(done.name);
      if (done.id !== undefined) this.ended(done.id, done.name, 'failed', done.reason);
    }
  }

  // Where a job whose record cannot be read now has gone, from the directories: a record
  // rewritten on another host may read short on a mount that caches its old size (FUSE with
  // attr_timeout; NFS mounted nocto) until that cache expires, and readRecord's second look
  // through a new name needs hard links. done/ and failed/ are looked at first: a job is
  // linked there before it leaves its pod. undefined: neither, nor in its pod, so back in
  // jobqueue/ (or its record is gone).
  private placeOf(worker: WorkerState, jobId: string): 'finished' | 'failed' | 'running' | undefined {
    const {paths} = this.parts;
    if (fs.existsSync(path.join(paths.done, jobId))) return 'finished';
    if (fs.existsSync(path.join(paths.failed, jobId))) return 'failed';
    if (fs.existsSync(path.join(podDir(paths, worker.id), jobId))) return 'running';
    // Nowhere, because the home is gone for now: it is where it was.
    return this.parts.homeThere() ? undefined : 'running';
  }
}
