// The order a worker runs the jobs of its pod in: the order the dispatcher handed them out,
// whatever their names, told by the ctime that moving a job into the pod sets, then by the
// records' assignedAt for jobs moved in within one tick of the filesystem's clock.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';
import {ensureHome, type HomePaths} from '../../src/home/layout.js';
import {podDir} from '../../src/home/paths.js';
import {assignJob} from '../../src/home/transitions.js';
import {handOutOrder, PodOrder} from '../../src/worker/pod.js';

describe('handOutOrder', () => {
  it('sorts by ctime first, whatever the names and assignedAt say', () => {
    const ctime = new Map([
      ['a', 30n],
      ['b', 10n],
      ['c', 20n],
    ]);
    expect(handOutOrder(['a', 'b', 'c'], ctime, () => '')).toEqual(['b', 'c', 'a']);
  });

  it('breaks a tie of ctimes by assignedAt, reading it once per job and only for jobs that tie', () => {
    const ctime = new Map([
      ['z', 5n],
      ['y', 5n],
      ['x', 5n],
      ['early', 1n],
    ]);
    const at: Record<string, string> = {
      z: '2026-01-01T00:00:00.001Z',
      y: '2026-01-01T00:00:00.003Z',
      x: '2026-01-01T00:00:00.002Z',
    };
    const read: string[] = [];
    const order = handOutOrder(['x', 'early', 'y', 'z'], ctime, (name) => {
      read.push(name);
      return at[name] ?? '';
    });
    expect(order).toEqual(['early', 'z', 'x', 'y']);
    expect([...read].sort()).toEqual(['x', 'y', 'z']);
  });

  it('falls back to the name when ctime and assignedAt tie, and counts a job with no ctime as the oldest', () => {
    const ctime = new Map([
      ['b', 7n],
      ['a', 7n],
      ['c', 9n],
    ]);
    expect(handOutOrder(['c', 'unseen', 'b', 'a'], ctime, () => '')).toEqual(['unseen', 'a', 'b', 'c']);
  });
});

describe('PodOrder', () => {
  let paths: HomePaths;

  beforeEach(() => {
    paths = ensureHome(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fjd-unit-')), 'home'));
    fs.mkdirSync(podDir(paths, 'w'), {recursive: true});
  });

  afterEach(() => {
    fs.rmSync(path.dirname(paths.root), {recursive: true, force: true});
  });

  it('lists the jobs a dispatcher moved into the pod in the order it handed them out, and no staged records', () => {
    const names = ['zeta', 'alpha', 'mid'];
    for (const name of names) fs.writeFileSync(path.join(paths.jobqueue, name), '[control]\nexecutable = true\n');
    // Handed out back to back (likely within one tick of the clock), with increasing assignedAt.
    names.forEach((name, n) => assignJob(paths, name, 'w', 'host', 1, `2026-01-01T00:00:00.00${n}Z`));
    fs.writeFileSync(path.join(podDir(paths, 'w'), '.zeta.record'), '{}\n');
    const pod = new PodOrder(paths, 'w');
    expect(pod.jobs()).toEqual(names);
    // A second look stats only the jobs it has not seen; a job that left is forgotten.
    fs.renameSync(path.join(podDir(paths, 'w'), 'alpha'), path.join(paths.done, 'alpha'));
    expect(pod.jobs()).toEqual(['zeta', 'mid']);
  });

  // A pod watched: what the dispatcher moves in is learned from the watch's events.
  let handedOut = 0;
  function handOut(names: string[]): void {
    for (const name of names) fs.writeFileSync(path.join(paths.jobqueue, name), '[control]\nexecutable = true\n');
    // Back to back (likely within one tick of the clock), with increasing assignedAt.
    for (const name of names)
      assignJob(paths, name, 'w', 'host', 1, `2026-01-01T00:00:00.${String(++handedOut).padStart(3, '0')}Z`);
  }

  it('learns the jobs moved in from the events, in the order of the renames, with no listing or stat', () => {
    const pod = new PodOrder(paths, 'w');
    expect(pod.jobs(true)).toEqual([]);
    handOut(['zeta', 'alpha']);
    const lstat = vi.spyOn(fs, 'lstatSync');
    const readdir = vi.spyOn(fs, 'readdirSync');
    try {
      pod.event('rename', 'zeta');
      pod.event('change', 'zeta');
      pod.event('rename', '.zeta.record');
      pod.event('rename', 'alpha');
      expect(pod.jobs(true)).toEqual(['zeta', 'alpha']);
      // Moved out by the worker: the event of that move is no arrival.
      fs.renameSync(path.join(podDir(paths, 'w'), 'zeta'), path.join(paths.done, 'zeta'));
      pod.left('zeta', true);
      pod.event('change', 'zeta');
      pod.event('rename', 'zeta');
      expect(pod.jobs(true)).toEqual(['alpha']);
      expect(lstat).not.toHaveBeenCalled();
      expect(readdir).not.toHaveBeenCalled();
    } finally {
      lstat.mockRestore();
      readdir.mockRestore();
    }
  });

  it('lists the pod when told to, or when an event names nothing; jobs it finds come after those known, by ctime', () => {
    const pod = new PodOrder(paths, 'w');
    expect(pod.jobs(true)).toEqual([]);
    handOut(['first']);
    pod.event('rename', 'first');
    // Moved in while their events are still to come (or on another host: no event at all).
    handOut(['c-second', 'b-third', 'a-fourth']);
    expect(pod.jobs(true)).toEqual(['first']);
    pod.relist();
    expect(pod.jobs(true)).toEqual(['first', 'c-second', 'b-third', 'a-fourth']);
    // Their events come after all: a listing settles it, and nothing is there twice.
    pod.event('rename', 'c-second');
    expect(pod.jobs(true)).toEqual(['first', 'c-second', 'b-third', 'a-fourth']);
    fs.renameSync(path.join(podDir(paths, 'w'), 'first'), path.join(paths.done, 'first'));
    pod.event('rename', undefined);
    expect(pod.jobs(true)).toEqual(['c-second', 'b-third', 'a-fourth']);
    // The pod moved away (a recovery) is named like a job by its watch: it is no arrival.
    pod.event('rename', 'pod');
    expect(pod.jobs(true)).toEqual(['c-second', 'b-third', 'a-fourth']);
  });

  it('tells that jobs come in no event tells of once a listing finds one, until an event comes for a job known', () => {
    const pod = new PodOrder(paths, 'w');
    expect(pod.jobs(true)).toEqual([]);
    // A dispatcher on this host: its renames raise events, and a listing finds nothing new.
    handOut(['seen']);
    pod.event('rename', 'seen');
    pod.relist();
    expect(pod.jobs(true)).toEqual(['seen']);
    expect(pod.eventsMiss).toBe(false);
    // One on another host: no event, and a listing finds the job. A later listing that finds
    // nothing new does not forget it.
    handOut(['remote']);
    pod.relist();
    expect(pod.jobs(true)).toEqual(['seen', 'remote']);
    expect(pod.eventsMiss).toBe(true);
    pod.relist();
    expect(pod.jobs(true)).toEqual(['seen', 'remote']);
    expect(pod.eventsMiss).toBe(true);
    // The event came after all (the watch lagged): events do come here.
    pod.event('rename', 'remote');
    expect(pod.eventsMiss).toBe(false);
  });
});
