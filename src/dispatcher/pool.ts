// The worker pool: the workers of the home as this dispatcher knows them, with their leases.
// A worker is registered (.fjd/workers/W/), ready once it has announced itself
// (workerqueue/W), and holds the jobs handed to it until it is seen to end them (its
// `inflight`, with the group of each). The pool says which worker may take a job now
// (nextAvailable, depthOf), and which is lost (lossOf): a dead pid on this host, or a
// heartbeat unchanged for a whole lease (lease.ts). What is done about a lost worker, the
// dispatcher does.
import fs from 'node:fs';
import type {HomePaths} from '../home/layout.js';
import {listDir, readJson} from '../home/atomic.js';
import {dependencyKeys} from '../home/names.js';
import {heartbeatPath, infoPath, podDirsOf} from '../home/paths.js';
import {readRecord} from '../home/record.js';
import {readJobMeta} from '../home/job-meta.js';
import type {WorkerInfo} from '../home/registry.js';
import type {WorkerLoss} from '../home/worker-loss.js';
import {processLiveness} from '../util/host.js';
import {WorkerLeases} from './lease.js';

export interface WorkerState {
  id: string;
  // It has announced itself: it may be given jobs.
  ready: boolean;
  // How long its last job took, which decides whether it gets a second one in advance.
  lastDurationMs: number | undefined;
  // Job ids given to this worker and not yet seen to end, with their names.
  inflight: Map<string, string>;
  host: string | undefined;
  pid: number | undefined;
  procStart: string | null;
  // The last heartbeat content seen, and when it last changed (our monotonic clock).
  beat: string | undefined;
  beatChangedAt: number;
  // How long its heartbeat may stay unchanged (lease.ts).
  leaseMs: number;
  // It sees a job handed to it at once (a watch on this host); false: only when it next
  // looks at its pod (another host, or no inotify: up to a heartbeat later when idle).
  seesAtOnce: boolean;
  // Its info.json has been read (it is written just after the worker's first announcement).
  infoRead: boolean;
}

const PROCESS_GONE: WorkerLoss = {cause: 'process-gone'};

export class WorkerPool {
  private readonly workers = new Map<string, WorkerState>();
  // Which worker holds each job id handed out, and the group of each that has one.
  private readonly owners = new Map<string, WorkerState>();
  private readonly groupOf = new Map<string, string>();
  private readonly leases: WorkerLeases;

  constructor(
    private readonly paths: HomePaths,
    private readonly host: string,
    leaseMs: number,
    warn: (message: string) => void,
    // A worker has become ready.
    private readonly onReady: () => void,
  ) {
    this.leases = new WorkerLeases(leaseMs, warn);
  }

  get size(): number {
    return this.workers.size;
  }

  all(): IterableIterator<WorkerState> {
    return this.workers.values();
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
          // Its group counts against its limit until it ends, whoever handed it out.
          this.hold(worker, jobId, readRecord(this.paths, jobId)?.name ?? jobId, readJobMeta(dir, jobId)?.group);
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
      const info = readJson<WorkerInfo>(infoPath(this.paths, id));
      worker = {
        id,
        ready: false,
        lastDurationMs: undefined,
        inflight: new Map(),
        host: info?.host,
        pid: info?.pid,
        procStart: info?.procStart ?? null,
        beat: undefined,
        beatChangedAt: performance.now(),
        leaseMs: this.leases.of(id, info?.heartbeatMs),
        seesAtOnce: this.seesAtOnce(info),
        infoRead: info !== undefined,
      };
      this.workers.set(id, worker);
    }
    return worker;
  }

  // The worker has announced itself (announcements.ts): it may be given jobs.
  ready(worker: WorkerState): void {
    if (worker.ready) return;
    worker.ready = true;
    this.onReady();
  }

  hold(worker: WorkerState, jobId: string, name: string, group: string | undefined): void {
    worker.inflight.set(jobId, name);
    this.owners.set(jobId, worker);
    if (group !== undefined) this.groupOf.set(jobId, group);
  }

  owner(jobId: string): WorkerState | undefined {
    return this.owners.get(jobId);
  }

  // The job is no longer with its worker (ended, or back in the queue): its group, if any.
  release(worker: WorkerState, jobId: string): string | undefined {
    worker.inflight.delete(jobId);
    if (this.owners.get(jobId) === worker) this.owners.delete(jobId);
    const group = this.groupOf.get(jobId);
    this.groupOf.delete(jobId);
    return group;
  }

  // The worker is gone (left, or lost and recovered).
  forget(worker: WorkerState): void {
    worker.ready = false;
    for (const jobId of worker.inflight.keys()) if (this.owners.get(jobId) === worker) this.owners.delete(jobId);
    this.workers.delete(worker.id);
  }

  // How many jobs a worker may hold: a second one waits in its pod while it runs short jobs,
  // so that it never waits for the dispatcher between them. Long jobs get one at a time.
  depthOf(worker: WorkerState): number {
    return worker.lastDurationMs !== undefined && worker.lastDurationMs < 1000 ? 2 : 1;
  }

  // A worker that may take one more job now: first an idle one that sees it at once, then
  // any idle one, then one that takes a second job in advance. With more workers than inotify
  // instances (128 per user by default), those that poll would start their jobs up to a
  // heartbeat late: 200 local workers, 76 of them polling, started a job 13 ms after it was
  // handed out (median) when watching and 2.5 s (up to 5 s) when polling.
  nextAvailable(): WorkerState | undefined {
    let idle: WorkerState | undefined;
    let second: WorkerState | undefined;
    for (const worker of this.workers.values()) {
      if (!worker.ready) continue;
      if (worker.inflight.size === 0) {
        if (worker.seesAtOnce) return worker;
        idle ??= worker;
      } else if (second === undefined && worker.inflight.size < this.depthOf(worker)) second = worker;
    }
    return idle ?? second;
  }

  // How many jobs are handed out and not yet seen to end.
  handedOut(): number {
    let count = 0;
    for (const worker of this.workers.values()) count += worker.inflight.size;
    return count;
  }

  // How many workers hold a job now.
  busy(): number {
    let count = 0;
    for (const worker of this.workers.values()) if (worker.inflight.size > 0) count++;
    return count;
  }

  anyReady(): boolean {
    for (const worker of this.workers.values()) if (worker.ready) return true;
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
      const info = readJson<WorkerInfo>(infoPath(this.paths, worker.id));
      Object.assign(worker, {
        host: info?.host ?? worker.host,
        pid: info?.pid ?? worker.pid,
        procStart: info?.procStart ?? worker.procStart,
        leaseMs: this.leases.of(worker.id, info?.heartbeatMs),
        seesAtOnce: this.seesAtOnce(info),
        infoRead: info !== undefined,
      });
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

  private seesAtOnce(info: WorkerInfo | undefined): boolean {
    return info !== undefined && info.host === this.host && (info.polling ?? null) === null;
  }
}
