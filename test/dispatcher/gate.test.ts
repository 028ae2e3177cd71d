// The gate (limits and dependencies) driven directly, with the held jobs and the ready queue it
// works beside, and vitest's fake clock for the wait on an unknown dependency: no processes.
// `pairing` does with each verdict what the dispatcher's nextReady does.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';
import {judge, unrunnableReason, type GateView} from '../../src/dispatcher/gate.js';
import {Holds} from '../../src/dispatcher/held.js';
import {GroupLimits} from '../../src/dispatcher/limits.js';
import {OpenJobs} from '../../src/dispatcher/open-jobs.js';
import {ReadyQueue} from '../../src/dispatcher/ready-queue.js';
import type {JobMeta} from '../../src/home/job-meta.js';
import {dependencyKeys} from '../../src/home/names.js';
import {DEFAULT_REQUEST} from '../../src/job/resources.js';

const GRACE_MS = 5000;

function job(name: string, control: Partial<Pick<JobMeta, 'group' | 'after' | 'afterAny' | 'priority'>> = {}): JobMeta {
  return {
    name,
    priority: 0,
    submittedMs: 0,
    group: undefined,
    after: [],
    afterAny: [],
    request: DEFAULT_REQUEST,
    seq: 0,
    version: 0,
    ...control,
  };
}

// The state the gate looks at, kept as plainly as a test can: open jobs, the jobs handed out
// (by name, with their group), how ended jobs ended, and the limits.
class World {
  readonly open = new OpenJobs();
  readonly queue = new ReadyQueue();
  readonly holds = new Holds(this.open, this.queue);
  readonly handedOut = new Map<string, string | undefined>();
  readonly outcomes = new Map<string, 'finished' | 'failed'>();
  limitOf: (group: string) => number | undefined = () => undefined;
  readonly view: GateView = {
    limitOf: (group) => this.limitOf(group),
    runningIn: (group) => [...this.handedOut.values()].filter((g) => g === group).length,
    isOpen: (name) => this.open.has(name),
    namesFor: (key) => this.open.namesFor(key),
    isHandedOut: (key) => [...this.handedOut.keys()].some((name) => dependencyKeys(name).includes(key)),
    outcomeOf: (key) => this.outcomes.get(key),
    openMeta: (name) => this.queue.meta(name) ?? this.holds.waitingMeta(name),
    unknownSince: (name) => this.holds.unknownSince(name),
    unknownGraceMs: GRACE_MS,
    unfittable: () => undefined,
  };

  drop(...jobs: JobMeta[]): void {
    for (const meta of jobs) {
      this.open.set(meta.name, 'listed');
      this.queue.push(meta);
    }
  }

  // Judges every job in line once, as a pairing with workers enough for all: what goes is
  // handed out, what is held is set aside, what fails leaves with its reason.
  pairing(): {went: string[]; failed: Record<string, string>} {
    const went: string[] = [];
    const failed: Record<string, string> = {};
    for (let meta = this.queue.pop(); meta !== undefined; meta = this.queue.pop()) {
      const verdict = judge(meta, this.view, performance.now());
      if (verdict.kind === 'hold') {
        if (verdict.by === 'dependency') this.holds.judged(meta.name);
        this.holds.hold(verdict, meta);
        continue;
      }
      this.holds.judged(meta.name);
      this.open.delete(meta.name);
      if (verdict.kind === 'go') {
        went.push(meta.name);
        this.handedOut.set(meta.name, meta.group);
      } else {
        failed[meta.name] = unrunnableReason(verdict.reason);
        this.end(meta.name, 'failed');
      }
    }
    return {went, failed};
  }

  // A job handed out (or failed) has ended: its group has room, and what waited for it may go.
  end(name: string, outcome: 'finished' | 'failed'): void {
    const group = this.handedOut.get(name);
    this.handedOut.delete(name);
    if (group !== undefined) this.holds.releaseGroup(group);
    for (const key of dependencyKeys(name)) {
      this.outcomes.set(key, outcome);
      this.holds.releaseDependents(key);
    }
  }
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('limits', () => {
  it('holds a job of a group at its limit, and lets it go when a job of the group leaves', () => {
    const world = new World();
    world.limitOf = (group) => (group === 'gpu' ? 2 : undefined);
    world.drop(job('a', {group: 'gpu'}), job('b', {group: 'gpu'}), job('c', {group: 'gpu'}), job('d'));
    expect(world.pairing()).toEqual({went: ['a', 'b', 'd'], failed: {}});
    // c waits, and stays held however often the pairing runs, until a gpu job leaves.
    expect(world.pairing().went).toEqual([]);
    expect([...world.holds.groups()]).toEqual(['gpu']);
    world.end('d', 'finished');
    expect(world.pairing().went).toEqual([]);
    world.end('a', 'finished');
    expect(world.pairing().went).toEqual(['c']);
  });

  it('a job held at the limit goes when the limits file raises the limit', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fjd-gate-'));
    try {
      const file = path.join(dir, 'limits');
      fs.writeFileSync(file, 'gpu = 1\n');
      const warnings: string[] = [];
      const limits = new GroupLimits(file, undefined, (message) => warnings.push(message));
      const world = new World();
      world.limitOf = (group) => limits.get(group);
      expect(limits.reload(world.holds.groups())).toEqual([]);
      world.drop(job('a', {group: 'gpu'}), job('b', {group: 'gpu'}));
      expect(world.pairing().went).toEqual(['a']);
      // Unchanged, the file is not read again and nothing is let go.
      expect(limits.reload(world.holds.groups())).toEqual([]);
      fs.writeFileSync(file, 'gpu = 2 \n');
      for (const group of limits.reload(world.holds.groups())) world.holds.releaseGroup(group);
      expect(world.pairing().went).toEqual(['b']);
      expect(warnings).toEqual([]);
    } finally {
      fs.rmSync(dir, {recursive: true, force: true});
    }
  });

  it('a limit of 0 holds every job of its group', () => {
    const world = new World();
    world.limitOf = () => 0;
    world.drop(job('a', {group: 'never'}));
    const meta = world.queue.pop();
    expect(meta && judge(meta, world.view, performance.now())).toEqual({kind: 'hold', by: 'limit', group: 'never'});
  });
});

describe('dependencies', () => {
  it('a job waits for a pending dependency (open or handed out) and goes when it has finished', () => {
    const world = new World();
    world.drop(job('b.ini', {after: ['a']}), job('a.ini'));
    const first = world.queue.meta('b.ini');
    expect(first && judge(first, world.view, performance.now())).toEqual({kind: 'hold', by: 'dependency', key: 'a'});
    // a goes, b waits for it while it runs, then goes.
    expect(world.pairing()).toEqual({went: ['a.ini'], failed: {}});
    expect(world.holds.waitingMeta('b.ini')?.after).toEqual(['a']);
    world.end('a.ini', 'finished');
    expect(world.pairing()).toEqual({went: ['b.ini'], failed: {}});
  });

  it('a job fails when its dependency failed; one that waits for any ending goes', () => {
    const world = new World();
    world.outcomes.set('a', 'failed');
    world.drop(job('b', {after: ['a']}), job('c', {afterAny: ['a']}));
    expect(world.pairing()).toEqual({went: ['c'], failed: {b: 'dependency a failed'}});
  });

  it('a failure propagates down a chain, each with its own reason', () => {
    const world = new World();
    world.drop(job('a'), job('b', {after: ['a']}), job('c', {after: ['b']}));
    expect(world.pairing().went).toEqual(['a']);
    world.end('a', 'failed');
    // b's failure lets c go back in line at once, to fail in the same pairing.
    expect(world.pairing()).toEqual({went: [], failed: {b: 'dependency a failed', c: 'dependency b failed'}});
  });

  it('a later job of a name (a~2) decides for the name, in line or ended', () => {
    const world = new World();
    world.outcomes.set('a', 'failed');
    world.drop(job('a~2.ini'), job('b', {after: ['a']}));
    // a~2 is open: b waits for it rather than failing for the a that failed.
    expect(world.pairing().went).toEqual(['a~2.ini']);
    world.end('a~2.ini', 'finished');
    expect(world.pairing().went).toEqual(['b']);
  });

  it('an unknown dependency is waited for (the grace of five rescans), then the job fails saying so', () => {
    const world = new World();
    world.drop(job('x', {after: ['nobody']}));
    const meta = world.queue.meta('x');
    const since = performance.now();
    expect(meta && judge(meta, world.view, since)).toEqual({kind: 'hold', by: 'unknown', since});
    world.pairing();
    // Looked at again at every rescan interval, it keeps the time its wait began.
    vi.advanceTimersByTime(GRACE_MS - 1);
    world.holds.releaseUnknown();
    expect(world.pairing()).toEqual({went: [], failed: {}});
    expect(world.holds.unknownSince('x')).toBe(since);
    vi.advanceTimersByTime(1);
    world.holds.releaseUnknown();
    expect(world.pairing()).toEqual({
      went: [],
      failed: {
        x: 'dependency nobody is unknown: no job of that name is queued, running, done or failed (waited 5 s for it)',
      },
    });
    expect(world.holds.unknownSince('x')).toBeUndefined();
  });

  it('an unknown dependency that turns up in time is waited for as any other', () => {
    const world = new World();
    world.drop(job('x', {after: ['y']}));
    world.pairing();
    vi.advanceTimersByTime(GRACE_MS / 2);
    world.drop(job('y'));
    world.holds.releaseUnknown();
    // y goes first (x is judged first and held for it, no longer as unknown).
    expect(world.pairing()).toEqual({went: ['y'], failed: {}});
    expect(world.holds.unknownSince('x')).toBeUndefined();
    vi.advanceTimersByTime(GRACE_MS);
    world.end('y', 'finished');
    expect(world.pairing()).toEqual({went: ['x'], failed: {}});
  });

  it('jobs that wait for each other fail as a cycle, named in order', () => {
    const world = new World();
    world.drop(job('a', {after: ['b']}), job('b', {after: ['c']}), job('c', {after: ['a']}), job('d', {after: ['c']}));
    // The first of them judged names the cycle; the failure then reaches the others, and
    // what waited on them, each with the reason that reached it.
    expect(world.pairing()).toEqual({
      went: [],
      failed: {
        a: 'dependency cycle: a → b → c → a',
        c: 'dependency a failed',
        b: 'dependency c failed',
        d: 'dependency c failed',
      },
    });
  });
});

describe('requests', () => {
  it('a job no worker could run is held by that, after its limit and its dependencies, and goes when one could', () => {
    const world = new World();
    let largest = 4;
    world.view.unfittable = (request) =>
      request.cpus > largest ? `needs ${request.cpus} cpus; the largest worker offers ${largest}` : undefined;
    const big = (name: string, control: Parameters<typeof job>[1] = {}): JobMeta => ({
      ...job(name, control),
      request: {cpus: 8, memoryBytes: 0, gpus: 0},
    });
    world.drop(big('b'), big('c', {after: ['gone']}), job('d'));
    world.outcomes.set('gone', 'failed');
    const meta = world.queue.meta('b');
    expect(meta && judge(meta, world.view, 0)).toEqual({
      kind: 'hold',
      by: 'unfittable',
      request: {cpus: 8, memoryBytes: 0, gpus: 0},
      reason: 'needs 8 cpus; the largest worker offers 4',
    });
    // A failed dependency fails it all the same; a job asking for the default goes.
    expect(world.pairing()).toEqual({went: ['d'], failed: {c: 'dependency gone failed'}});
    expect(world.pairing().went).toEqual([]);
    largest = 8;
    world.holds.releaseUnfittable();
    expect(world.pairing()).toEqual({went: ['b'], failed: {}});
  });
});
