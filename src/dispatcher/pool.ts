// The worker pool: the workers of the home as this dispatcher knows them, with their leases.
// A worker is registered (.fjd/workers/W/), ready while its announcement is there
// (workerqueue/W, read by announcements.ts), and holds the jobs handed to it until it is seen
// to end them (its `inflight`, with the group and the request of each). What it offers is its
// capacity (info.json; absent in a worker of an earlier fjd: one slot, one cpu), and what it
// has free is that less the requests of its jobs in flight (packing.ts decides from there
// which worker a job goes to). The pool says which worker is lost (lossOf): a dead pid on this
// host, or a heartbeat unchanged for a whole lease (lease.ts). What is done about a lost
// worker, the dispatcher does.
import fs from 'node:fs';
import type {HomePaths} from '../home/layout.js';
import {listDir, readJson} from '../home/atomic.js';
import {dependencyKeys} from '../home/names.js';
import {heartbeatPath, infoPath, podDirsOf} from '../home/paths.js';
import {readRecord} from '../home/record.js';
import {readJobMeta} from '../home/job-meta.js';
import type {WorkerInfo} from '../home/registry.js';
import type {WorkerLoss} from '../home/worker-loss.js';
import {DEFAULT_REQUEST, freeOf, unfittable, type Capacity, type Request} from '../job/resources.js';
import {processLiveness} from '../util/host.js';
import {WorkerLeases} from './lease.js';
import {takeIn} from './packing.js';
import {capacityIn} from './worker-capacity.js';
import {newWorkerState, type WorkerState} from './worker-state.js';

export type {WorkerState} from './worker-state.js';

const PROCESS_GONE: WorkerLoss = {cause: 'process-gone'};

export class WorkerPool {
  private readonly workers = new Map<string, WorkerState>();
  // The same, as a list: looked through for every job handed out, without an iterator each.
  private readonly list: WorkerState[] = [];
  // Which worker holds each job id handed out, the group of each that has one, and the
  // request of each that asks for more than the default.
  private readonly owners = new Map<string, WorkerState>();
  private readonly groupOf = new Map<string, string>();
  private readonly requestOf = new Map<string, Request>();
  private readonly leases: WorkerLeases;
  // The capacities of the workers whose info.json has been read, until one comes or goes.
  private known: Capacity[] | undefined;
  private toldEarlier = false;

  constructor(
    private readonly paths: HomePaths,
    private readonly host: string,
    leaseMs: number,
    private readonly warn: (message: string) => void,
    private readonly effects: {
      // A worker has become ready for the first time.
      ready(): void;
      // A worker registered or left, or what it offers is known now.
      changed(): void;
    },
  ) {
    this.leases = new WorkerLeases(leaseMs, warn);
  }

  get size(): number {
    return this.workers.size;
  }

  all(): readonly WorkerState[] {
    return this.list;
  }

  get(id: string): WorkerState | undefined {
    return this.workers.get(id);
  }

  // The workers registered in the home, and the jobs in their pods (those left by an
  // interrupted exit or recovery too: pod.closed, pod.lost-…), as the dispatcher starts.
  load(): void {
    for (const id of listDir(this.paths.workers)) {
      if (id.startsWith('.')) continue;
      const worker = this.worker(id);
      for (const dir of podDirsOf(this.paths, id)) {
        for (const jobId of listDir(dir)) {
          if (jobId.startsWith('.')) continue;
          // Its group counts against its limit, and its request against what its worker has
          // free, until it ends, whoever handed it out.
          const record = readRecord(this.paths, jobId);
          const request = record?.request ?? DEFAULT_REQUEST;
          this.hold(worker, jobId, record?.name ?? jobId, readJobMeta(dir, jobId)?.group, request);
        }
      }
    }
  }

  // Takes note of every worker registered in the home.
  register(): void {
    for (const id of listDir(this.paths.workers)) if (!id.startsWith('.')) this.worker(id);
  }

  worker(id: string): WorkerState {
    let worker = this.workers.get(id);
    if (worker === undefined) {
      worker = newWorkerState(id);
      this.learn(worker, readJson<WorkerInfo>(infoPath(this.paths, id)));
      this.workers.set(id, worker);
      this.list.push(worker);
      this.known = undefined;
      this.effects.changed();
    }
    return worker;
  }

  // The worker's announcement is there (announcements.ts): it may be given jobs.
  ready(worker: WorkerState): void {
    if (worker.ready) return;
    worker.ready = true;
    // A worker of an earlier fjd is ready again each time it is idle: that is no news.
    if (worker.wasReady) return;
    worker.wasReady = true;
    this.effects.ready();
  }

  // The worker's announcement is gone: it takes no more jobs (for now: an earlier fjd's
  // worker announces itself again once idle).
  unready(worker: WorkerState): void {
    worker.ready = false;
  }

  hold(worker: WorkerState, jobId: string, name: string, group: string | undefined, request: Request): void {
    worker.inflight.set(jobId, name);
    this.owners.set(jobId, worker);
    if (group !== undefined) this.groupOf.set(jobId, group);
    if (request !== DEFAULT_REQUEST) this.requestOf.set(jobId, request);
    takeIn(worker.free, request);
  }

  owner(jobId: string): WorkerState | undefined {
    return this.owners.get(jobId);
  }

  // The job is no longer with its worker (ended, or back in the queue): its group, if any.
  release(worker: WorkerState, jobId: string): string | undefined {
    if (worker.inflight.delete(jobId)) takeIn(worker.free, this.requestOf.get(jobId) ?? DEFAULT_REQUEST, -1);
    this.requestOf.delete(jobId);
    if (this.owners.get(jobId) === worker) this.owners.delete(jobId);
    const group = this.groupOf.get(jobId);
    this.groupOf.delete(jobId);
    return group;
  }

  // The worker is gone (left, or lost and recovered).
  forget(worker: WorkerState): void {
    worker.ready = false;
    for (const jobId of worker.inflight.keys()) if (this.owners.get(jobId) === worker) this.owners.delete(jobId);
    if (this.workers.get(worker.id) === worker) {
      this.workers.delete(worker.id);
      this.list.splice(this.list.indexOf(worker), 1);
    }
    this.known = undefined;
    this.effects.changed();
  }

  // Why no worker known could ever run a job of `request`, even idle ("needs 8 cpus; the
  // largest worker offers 4"), or undefined when one could (or none is known yet).
  unfittable(request: Request): string | undefined {
    if (request === DEFAULT_REQUEST) return undefined;
    this.known ??= this.list.filter((w) => w.infoRead).map((w) => w.capacity);
    return unfittable(request, this.known);
  }

  // How many jobs are handed out and not yet seen to end.
  handedOut(): number {
    let count = 0;
    for (const worker of this.workers.values()) count += worker.inflight.size;
    return count;
  }

  // How many workers hold a job now, and how many jobs run on them as far as the dispatcher
  // can tell: those handed out, up to each worker's slots (a job beyond them waits in its pod).
  busy(): {workers: number; running: number} {
    const counts = {workers: 0, running: 0};
    for (const {inflight, capacity} of this.workers.values()) {
      if (inflight.size > 0) counts.workers++;
      counts.running += Math.min(inflight.size, capacity.slots);
    }
    return counts;
  }

  anyReady(): boolean {
    for (let i = 0; i < this.list.length; i++) if (this.list[i]?.ready === true) return true;
    return false;
  }

  // How many jobs of `group` are with workers now.
  runningIn(group: string): number {
    let running = 0;
    for (const worker of this.workers.values()) {
      for (const jobId of worker.inflight.keys()) if (this.groupOf.get(jobId) === group) running++;
    }
    return running;
  }

  // Whether a job a dependency named `key` means is with a worker now.
  isHandedOut(key: string): boolean {
    for (const worker of this.workers.values()) {
      for (const name of worker.inflight.values()) if (dependencyKeys(name).includes(key)) return true;
    }
    return false;
  }

  // The home was away: heartbeats could not change meanwhile, so every lease starts again now.
  restartLeases(): void {
    for (const worker of this.workers.values()) worker.beatChangedAt = performance.now();
  }

  // Whether the worker is lost, and why: on this host a dead pid tells at once; on any host a
  // heartbeat that has not changed for a whole lease does. Reads its heartbeat (and its info,
  // until it is there: the announcement gives the worker's pid first, so whether it watches
  // is known only from there).
  lossOf(worker: WorkerState, now: number): WorkerLoss | undefined {
    if (!worker.infoRead) {
      this.learn(worker, readJson<WorkerInfo>(infoPath(this.paths, worker.id)));
      if (worker.infoRead) {
        this.known = undefined;
        this.effects.changed();
      }
    }
    let beat: string | undefined;
    try {
      beat = fs.readFileSync(heartbeatPath(this.paths, worker.id), 'utf8');
    } catch {
      beat = undefined;
    }
    if (beat !== worker.beat) {
      worker.beat = beat;
      worker.beatChangedAt = now;
    }
    if (
      worker.host === this.host &&
      worker.pid !== undefined &&
      processLiveness(worker.pid, worker.procStart) === 'dead'
    )
      return PROCESS_GONE;
    if (now - worker.beatChangedAt > worker.leaseMs) return {cause: 'no-heartbeat', leaseMs: worker.leaseMs};
    return undefined;
  }

  // What the worker's info.json says of it (undefined: not there yet, or damaged).
  private learn(worker: WorkerState, info: WorkerInfo | undefined): void {
    worker.host = info?.host ?? worker.host;
    worker.pid = info?.pid ?? worker.pid;
    worker.procStart = info?.procStart ?? worker.procStart;
    worker.leaseMs = this.leases.of(worker.id, info?.heartbeatMs);
    worker.seesAtOnce = info !== undefined && info.host === this.host && (info.polling ?? null) === null;
    worker.infoRead = info !== undefined;
    if (info === undefined) return;
    const read = capacityIn(info);
    if (read.trouble !== undefined && !this.toldEarlier) {
      this.toldEarlier = true;
      this.warn(read.trouble(worker.id));
    }
    worker.capacity = read.capacity;
    worker.free = freeOf(read.capacity);
    for (const jobId of worker.inflight.keys()) takeIn(worker.free, this.requestOf.get(jobId) ?? DEFAULT_REQUEST);
  }
}
