// Packing jobs into workers by what they ask for, driven directly: the pairing (hand-out.ts)
// over a real pool (pool.ts, its workers registered by info.json in a temporary home), real
// holds and a ready queue, with an assigner that only notes what it is given. A job's end is
// what the dispatcher's ends.ts does with it: the pool releases it. No processes, no clock.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import type {DispatcherEvent} from '../../src/dispatcher/events.js';
import {HandOut, LOOK_PAST, type Line} from '../../src/dispatcher/hand-out.js';
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

const G = 1024 ** 3;
const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) fs.rmSync(root, {recursive: true, force: true});
});

function cap(cpus: number, more: Partial<Capacity> = {}): Capacity {
  return {slots: cpus, cpus, memoryBytes: null, gpus: [], ...more};
}

function ask(cpus: number, more: Partial<Request> = {}): Request {
  return {cpus, memoryBytes: 0, gpus: 0, ...more};
}

interface Handed {
  job: string;
  worker: string;
  request: Request;
}

// A dispatcher's pairing with nothing around it but files for its workers' info.json.
class Pairing {
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
    roots.push(root);
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

describe('packing by request', () => {
  it('a 2-cpu job and two 1-cpu jobs on a 2-slot worker never hold more than 2 cpus', () => {
    const p = new Pairing();
    p.worker('w', cap(2));
    p.drop(['big'], ask(2));
    p.drop(['s1', 's2']);
    expect(p.pair()).toEqual(['big→w']);
    expect(p.inUse('w').cpus).toBe(2);
    // However often it pairs, nothing more fits.
    expect(p.pair()).toEqual([]);
    p.end('big');
    expect(p.pair()).toEqual(['s1→w', 's2→w']);
    expect(p.inUse('w')).toMatchObject({jobs: 2, cpus: 2});

    // The other way round: the big one waits for both to end, and nothing passes it.
    p.drop(['big2'], ask(2));
    p.drop(['s3']);
    expect(p.pair()).toEqual([]);
    p.end('s1');
    expect(p.pair()).toEqual([]);
    expect(p.inUse('w').cpus).toBe(1);
    p.end('s2');
    expect(p.pair()).toEqual(['big2→w']);
    p.end('big2');
    expect(p.pair()).toEqual(['s3→w']);
  });

  it('GPUs: as many GPU jobs at once as the worker has GPUs; a job without GPUs goes to a worker without them', () => {
    const p = new Pairing();
    p.worker('gpu', cap(8, {gpus: ['0', '1']}));
    p.worker('cpu', cap(8));
    p.drop(['g1', 'g2', 'g3'], ask(1, {gpus: 1}));
    p.drop(['plain']);
    expect(p.pair()).toEqual(['g1→gpu', 'g2→gpu', 'plain→cpu']);
    expect(p.inUse('gpu').gpus).toBe(2);
    p.end('g2');
    expect(p.pair()).toEqual(['g3→gpu']);
    // Both idle: a job that asks for no GPU leaves the GPUs to those that do.
    const q = new Pairing();
    q.worker('gpu', cap(8, {gpus: ['0']}));
    q.worker('cpu', cap(8));
    q.drop(['plain']);
    expect(q.pair()).toEqual(['plain→cpu']);
  });

  it('memory: jobs whose memory together exceeds the worker’s run one after the other, small ones beside them', () => {
    const p = new Pairing();
    p.worker('m', cap(4, {memoryBytes: 8 * G}));
    p.drop(['a'], ask(1, {memoryBytes: 6 * G}));
    p.drop(['small'], ask(1, {memoryBytes: 1 * G}));
    p.drop(['b'], ask(1, {memoryBytes: 6 * G}));
    expect(p.pair()).toEqual(['a→m', 'small→m']);
    expect(p.inUse('m').memoryBytes).toBe(7 * G);
    p.end('small');
    expect(p.pair()).toEqual([]);
    p.end('a');
    expect(p.pair()).toEqual(['b→m']);
  });

  it('best fit: a job goes where least is left over, after a worker that sees its pod at once', () => {
    const p = new Pairing();
    p.worker('a', cap(4));
    p.worker('b', cap(4));
    p.drop(['a1', 'a2', 'a3']);
    expect(p.pair()).toEqual(['a1→a', 'a2→a', 'a3→a']);
    // a has 1 cpu free, b 4: a 1-cpu job fills a, a 2-cpu job goes to b.
    p.drop(['one']);
    p.drop(['two'], ask(2));
    expect(p.pair()).toEqual(['one→a', 'two→b']);
    // A worker on another host (it sees a job only at its next look) fits better, but the one
    // here is preferred.
    const q = new Pairing();
    q.worker('there', cap(1), true);
    q.worker('here', cap(8));
    q.drop(['j']);
    expect(q.pair()).toEqual(['j→here']);
  });

  it('a worker of short jobs gets one job in advance, never two', () => {
    const p = new Pairing();
    const w = p.worker('w', cap(1));
    p.drop(['j1', 'j2', 'j3', 'j4']);
    expect(p.pair()).toEqual(['j1→w']);
    w.lastDurationMs = 50;
    expect(p.pair()).toEqual(['j2→w']);
    expect(p.pair()).toEqual([]);
    p.end('j1');
    expect(p.pair()).toEqual(['j3→w']);
    expect(p.inUse('w').jobs).toBe(2);
  });

  it('a worker of an earlier fjd (no capacity in its info.json) gets only jobs of 1 cpu and no GPU, one at a time; told once', () => {
    const p = new Pairing();
    p.worker('old', undefined);
    p.worker('old2', undefined);
    p.drop(['two'], ask(2));
    p.drop(['gpu'], ask(1, {gpus: 1}));
    p.drop(['d1', 'd2', 'd3']);
    expect(p.pair()).toEqual(['d1→old', 'd2→old2']);
    const warnings = p.events.filter((e) => e.type === 'warning').map((e) => e.message);
    expect(warnings).toEqual([
      'worker old is of an earlier fjd (its info.json says nothing of its slots): it is given one job at a time, of 1 cpu and no GPU (and any other such worker is not told of again); fire it and hire it again with this fjd to give it more',
    ]);
    expect(p.events.filter((e) => e.type === 'job-unfittable')).toEqual([
      {type: 'job-unfittable', name: 'two', request: ask(2), reason: 'needs 2 cpus; the largest worker offers 1 cpu'},
      {
        type: 'job-unfittable',
        name: 'gpu',
        request: ask(1, {gpus: 1}),
        reason: 'needs 1 GPU; the largest worker offers 0 GPUs',
      },
    ]);
    p.end('d1');
    expect(p.pair()).toEqual(['d3→old']);
  });
});

describe('the reservation', () => {
  it('a 4-cpu job at the head, a stream of 1-cpu jobs behind, two 4-cpu workers: the big one gets a worker within the time the jobs take, the small ones go to the other', () => {
    const p = new Pairing();
    p.worker('x', cap(4));
    p.worker('y', cap(4));
    // Simulated time (ms): each job handed out ends after its duration.
    let now = 0;
    const endsAt = new Map<string, number>();
    let n = 0;
    const pairAt = (durationMs: (job: string) => number): void => {
      for (const pair of p.pair()) {
        const job = pair.split('→')[0] ?? '';
        endsAt.set(job, now + durationMs(job));
      }
    };
    // The workers busy with jobs ending one after the other within 10 s: x's at 2.5, 5, 7.5
    // and 10 s, y's 1.25 s before each of those.
    p.drop(['x1', 'x2', 'x3', 'x4', 'y1', 'y2', 'y3', 'y4']);
    pairAt((job) => 2500 * Number(job.slice(1)) - (job.startsWith('y') ? 1250 : 0));
    expect(p.handed.map((h) => `${h.job}→${h.worker}`).sort()).toEqual([
      'x1→x',
      'x2→x',
      'x3→x',
      'x4→x',
      'y1→y',
      'y2→y',
      'y3→y',
      'y4→y',
    ]);
    expect(p.inUse('x').cpus + p.inUse('y').cpus).toBe(8);
    // The big one comes first in line, a stream of small ones of 10 s behind it: one more
    // small job in line for each that ends.
    p.drop(['big'], ask(4));
    const arrived = now;
    p.drop(Array.from({length: 8}, () => `s${++n}`));
    let bigAt: number | undefined;
    let bigOn: string | undefined;
    const smallWhileWaiting = new Set<string>();
    while (now < 60_000) {
      const [job, at] = [...endsAt].sort((a, b) => a[1] - b[1])[0] ?? ['', Infinity];
      now = at;
      endsAt.delete(job);
      p.end(job);
      p.drop([`s${++n}`]);
      const before = p.handed.length;
      pairAt(() => 10_000);
      for (const h of p.handed.slice(before)) {
        if (h.job === 'big') {
          bigAt = now;
          bigOn = h.worker;
        } else if (bigAt === undefined) smallWhileWaiting.add(h.worker);
      }
      for (const id of ['x', 'y']) expect(p.inUse(id).cpus).toBeLessThanOrEqual(4);
    }
    expect(bigAt, 'the big job was handed out').toBeDefined();
    expect(bigAt ?? Infinity).toBeLessThanOrEqual(arrived + 10_000);
    const other = bigOn === 'x' ? 'y' : 'x';
    // While it waited, the small ones went to the other worker only, and it was never idle.
    expect([...smallWhileWaiting]).toEqual([other]);
    expect(p.handed.filter((h) => h.worker === other).length).toBeGreaterThan(8);
  });

  it('a job of higher priority that comes later goes before the reserved one, even to its worker', () => {
    const p = new Pairing();
    p.worker('x', cap(2));
    p.drop(['x1', 'x2']);
    p.pair();
    p.drop(['big'], ask(2));
    p.drop(['small']);
    p.end('x1');
    // big reserves x: small, behind it, waits.
    expect(p.pair()).toEqual([]);
    p.drop(['urgent'], DEFAULT_REQUEST, 10);
    expect(p.pair()).toEqual(['urgent→x']);
  });

  it('looks past at most LOOK_PAST jobs that fit nowhere now, and takes none from the line when no worker has room', () => {
    const p = new Pairing();
    p.worker('v', cap(4));
    p.worker('w', cap(4));
    p.drop(['v3', 'w3'], ask(3));
    expect(p.pair()).toEqual(['v3→v', 'w3→w']);
    // One cpu free on each: 100 jobs of 2 cpus (the first reserves v), then one of 1 cpu far
    // behind them.
    p.drop(
      Array.from({length: 100}, (_, i) => `two${i}`),
      ask(2),
    );
    p.drop(['one']);
    p.taken = 0;
    expect(p.pair()).toEqual([]);
    expect(p.taken).toBe(LOOK_PAST);
    // All of them are still in line, in their order.
    expect(p.queue.size).toBe(101);
    expect(p.queue.pop()?.name).toBe('two0');
    // Full: nothing is taken from the line at all.
    const full = new Pairing();
    full.worker('f', cap(1));
    full.drop(['f1', 'f2']);
    expect(full.pair()).toEqual(['f1→f']);
    full.taken = 0;
    expect(full.pair()).toEqual([]);
    expect(full.taken).toBe(0);
  });
});

describe('the job no worker can run', () => {
  it('waits, told once per kind of request, and goes when a big enough worker registers', () => {
    const p = new Pairing();
    p.worker('small', cap(4));
    p.drop(['big1', 'big2'], ask(8));
    p.drop(['gpu'], ask(1, {gpus: 1}));
    p.drop(['plain']);
    expect(p.pair()).toEqual(['plain→small']);
    expect(p.events.filter((e) => e.type === 'job-unfittable')).toEqual([
      {type: 'job-unfittable', name: 'big1', request: ask(8), reason: 'needs 8 cpus; the only worker offers 4 cpus'},
      {
        type: 'job-unfittable',
        name: 'gpu',
        request: ask(1, {gpus: 1}),
        reason: 'needs 1 GPU; the only worker offers 0 GPUs',
      },
    ]);
    // Held, not in line: pairing again looks at none of them.
    expect(p.queue.size).toBe(0);
    expect(p.pair()).toEqual([]);
    p.worker('large', cap(8));
    expect(p.pair()).toEqual(['big1→large']);
    // big2 waits for it (it fits now), gpu still fits no worker.
    expect(p.events.filter((e) => e.type === 'job-unfittable')).toHaveLength(2);
    p.end('big1');
    expect(p.pair()).toEqual(['big2→large']);
  });
});
