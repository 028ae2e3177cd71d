// A dispatcher's pairing (hand-out.ts) driven directly, for the tests of packing and of the
// reservation: a real pool (pool.ts, its workers registered by info.json in a temporary home,
// removed when the test ends), real holds and a ready queue, with an assigner that only notes
// what it is given. A job's end is what the dispatcher's ends.ts does with it: the pool
// releases it. No processes, no clock.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {onTestFinished} from 'vitest';
import type {DispatcherEvent} from '../../src/dispatcher/events.js';
import {HandOut, type Line} from '../../src/dispatcher/hand-out.js';
import {Holds} from '../../src/dispatcher/held.js';
import {OpenJobs} from '../../src/dispatcher/open-jobs.js';
import {WorkerPool, type WorkerState} from '../../src/dispatcher/pool.js';
import {ReadyQueue} from '../../src/dispatcher/ready-queue.js';
import type {JobMeta} from '../../src/home/job-meta.js';
import {ensureHome, type HomePaths} from '../../src/home/layout.js';
import {infoPath, workerDir} from '../../src/home/paths.js';
import type {JobRecord} from '../../src/home/record.js';
import {DEFAULT_REQUEST, type Capacity, type Request} from '../../src/job/resources.js';
import {hostName} from '../../src/util/host.js';

export const G = 1024 ** 3;

export function cap(cpus: number, more: Partial<Capacity> = {}): Capacity {
  return {slots: cpus, cpus, memoryBytes: null, gpus: [], ...more};
}

export function ask(cpus: number, more: Partial<Request> = {}): Request {
  return {cpus, memoryBytes: 0, gpus: 0, ...more};
}

export interface Handed {
  job: string;
  worker: string;
  request: Request;
}

// A dispatcher's pairing with nothing around it but files for its workers' info.json.
export class Pairing {
  readonly paths: HomePaths;
  readonly open = new OpenJobs();
  readonly queue = new ReadyQueue();
  readonly holds = new Holds(this.open, this.queue);
  readonly events: DispatcherEvent[] = [];
  readonly handed: Handed[] = [];
  readonly pool: WorkerPool;
  readonly handOut: HandOut;
  // How many jobs the pairing took from the line.
  taken = 0;
  private submitted = 0;

  constructor() {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fjd-hand-out-'));
    onTestFinished(() => fs.rmSync(root, {recursive: true, force: true}));
    this.paths = ensureHome(path.join(root, 'home'));
    const warn = (message: string): void => void this.events.push({type: 'warning', message});
    this.pool = new WorkerPool(this.paths, hostName(), 30_000, warn, {
      ready: () => this.handOut.workerReady(),
      changed: () => this.holds.releaseUnfittable(),
    });
    const line: Line = {
      next: () => {
        this.taken++;
        return this.queue.pop();
      },
      taken: (name) => this.open.delete(name),
      movedOut: () => undefined,
      hasReady: () => this.queue.size > 0,
      open: this.open,
      queue: this.queue,
    };
    this.handOut = new HandOut({
      intake: line,
      pool: this.pool,
      holds: this.holds,
      gateView: {
        limitOf: () => undefined,
        runningIn: (group) => this.pool.runningIn(group),
        isOpen: (name) => this.open.has(name),
        namesFor: () => [],
        isHandedOut: () => false,
        outcomeOf: () => undefined,
        openMeta: () => undefined,
        unknownSince: () => undefined,
        unknownGraceMs: 5000,
        unfittable: (request) => this.pool.unfittable(request),
      },
      ends: {failOpen: () => undefined},
      assigner: {
        assign: (meta, worker, _host, request) => {
          this.handed.push({job: meta.name, worker, request});
          return {id: meta.name, record: {} as JobRecord};
        },
      },
      unknownRecheck: {soon: () => undefined},
      rescanMs: 1000,
      emit: (event) => this.events.push(event),
    });
  }

  // A worker registered with this capacity (undefined: of an earlier fjd, none in its info),
  // announced; `elsewhere`: on another host, so it does not see its pod at once.
  worker(id: string, capacity: Capacity | undefined, elsewhere = false): WorkerState {
    fs.mkdirSync(workerDir(this.paths, id), {recursive: true});
    const info = {fjd: 1, id, host: elsewhere ? 'elsewhere' : hostName(), pid: 1, procStart: null, heartbeatMs: 5000};
    fs.writeFileSync(infoPath(this.paths, id), JSON.stringify(capacity === undefined ? info : {...info, capacity}));
    const worker = this.pool.worker(id);
    this.pool.ready(worker);
    return worker;
  }

  // Jobs in line, in this order (each submitted after the last).
  drop(names: string[], request: Request = DEFAULT_REQUEST, priority = 0): void {
    for (const name of names) {
      const meta: JobMeta = {
        name,
        priority,
        submittedMs: ++this.submitted,
        group: undefined,
        after: [],
        afterAny: [],
        seq: 0,
        version: 0,
        request,
      };
      this.open.set(name, 'listed');
      this.queue.push(meta);
    }
  }

  pair(): string[] {
    const before = this.handed.length;
    this.handOut.pair();
    return this.handed.slice(before).map((h) => `${h.job}→${h.worker}`);
  }

  // The job has left its worker (ends.ts: settle).
  end(job: string): void {
    const worker = this.pool.owner(job);
    if (worker === undefined) throw new Error(`${job} is not handed out`);
    this.pool.release(worker, job);
  }

  // What the jobs in flight on a worker ask for, together.
  inUse(id: string): {jobs: number; cpus: number; gpus: number; memoryBytes: number} {
    const use = {jobs: 0, cpus: 0, gpus: 0, memoryBytes: 0};
    for (const job of this.pool.get(id)?.inflight.keys() ?? []) {
      const request = this.handed.findLast((h) => h.job === job)?.request ?? DEFAULT_REQUEST;
      use.jobs++;
      use.cpus += request.cpus;
      use.gpus += request.gpus;
      use.memoryBytes += request.memoryBytes;
    }
    return use;
  }
}
