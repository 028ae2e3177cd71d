// The intake of job files driven directly, in a home of its own and with vitest's fake timers
// for probing, settling and the background sweep: no processes. What a file's age is, the test
// says (ageOf), so that the file server's clock plays no part.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';
import {FRESH_READ_MS, Intake, type IntakeEffects} from '../../src/dispatcher/intake.js';
import {ensureHome, type HomePaths} from '../../src/home/layout.js';
import {Timers} from '../../src/util/timers.js';

const SETTLE_MS = 1000;
const PROBE_MS = 2;
const OLD = 60_000;

interface Told {
  readied: number;
  left: number;
  notJobs: string[];
  found: number[];
  refused: string[];
}

let root: string;
let paths: HomePaths;
let timers: Timers;

beforeEach(() => {
  vi.useFakeTimers();
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'fjd-intake-'));
  paths = ensureHome(path.join(root, 'home'));
  timers = new Timers();
});
afterEach(() => {
  timers.clearAll();
  vi.useRealTimers();
  fs.rmSync(root, {recursive: true, force: true});
});

// An intake over the test's home; `age` says how old every file is, by the server's clock.
function intake(options: {readAhead?: number; age?: () => number; watching?: boolean} = {}): {
  intake: Intake;
  told: Told;
} {
  const told: Told = {readied: 0, left: 0, notJobs: [], found: [], refused: []};
  const effects: IntakeEffects = {
    run: (action) => action(),
    readied: () => told.readied++,
    left: () => told.left++,
    found: (count) => told.found.push(count),
    notAJob: (name) => told.notJobs.push(name),
    refused: (id) => told.refused.push(id),
    warn: (message) => {
      throw new Error(`unexpected warning: ${message}`);
    },
    listingUsable: () => true,
    homeThere: () => true,
    ageOf: options.age ?? (() => OLD),
    watching: () => options.watching === true,
  };
  const made = new Intake(
    {paths, settleMs: SETTLE_MS, probeMs: PROBE_MS, readAhead: options.readAhead ?? 2000},
    effects,
    timers,
  );
  return {intake: made, told};
}

const jobText = (control = ''): string => `[control]\nexecutable = true\n${control}`;

// Drops a job as producers should: written under a hidden name, then renamed into view.
function drop(name: string, text = jobText()): void {
  const hidden = path.join(paths.jobqueue, `.incoming-${name}`);
  fs.writeFileSync(hidden, text);
  fs.renameSync(hidden, path.join(paths.jobqueue, name));
}

// Every job the intake hands out now, in order.
function drain(made: Intake): string[] {
  const names: string[] = [];
  for (let meta = made.next(); meta !== undefined; meta = made.next()) {
    names.push(meta.name);
    made.taken(meta.name);
  }
  return names;
}

const stateOf = (made: Intake, name: string): string | undefined => {
  const arrival = made.open.get(name);
  return typeof arrival === 'object' ? arrival.state : arrival;
};

describe('files seen to appear', () => {
  it('is probed for a moment, then goes in line, in the order seen', () => {
    const {intake: made, told} = intake();
    drop('b');
    made.onEvent('rename', 'b');
    drop('a');
    made.onEvent('rename', 'a');
    expect(stateOf(made, 'b')).toBe('probing');
    expect(made.next()).toBeUndefined();
    vi.advanceTimersByTime(PROBE_MS);
    expect([stateOf(made, 'a'), stateOf(made, 'b')]).toEqual(['seen', 'seen']);
    expect(told.readied).toBe(2);
    // Seen in that order (their ctimes may be equal): b first.
    expect(drain(made)).toEqual(['b', 'a']);
    vi.advanceTimersByTime(200);
    expect(told.found).toEqual([2]);
  });

  it('one written in place settles: it is taken once it has been left alone for the settle time', () => {
    const {intake: made, told} = intake();
    const file = path.join(paths.jobqueue, 'slow');
    fs.writeFileSync(file, '');
    made.onEvent('rename', 'slow');
    vi.advanceTimersByTime(PROBE_MS);
    // Empty when probed: it may still be being written.
    expect(stateOf(made, 'slow')).toBe('settling');
    vi.advanceTimersByTime(SETTLE_MS / 2);
    fs.writeFileSync(file, jobText());
    made.onEvent('change', 'slow');
    vi.advanceTimersByTime(SETTLE_MS / 2);
    // Written to since the last look: it waits a whole settle time more from then.
    expect(stateOf(made, 'slow')).toBe('settling');
    vi.advanceTimersByTime(SETTLE_MS - 1);
    expect(stateOf(made, 'slow')).toBe('settling');
    expect(told.readied).toBe(0);
    vi.advanceTimersByTime(1);
    expect(stateOf(made, 'slow')).toBe('seen');
    expect(drain(made)).toEqual(['slow']);
  });

  it('a write seen while it settles makes it wait a whole settle time more, though the file looks the same', () => {
    const {intake: made} = intake();
    const file = path.join(paths.jobqueue, 'busy');
    fs.writeFileSync(file, jobText());
    made.onEvent('change', 'busy');
    vi.advanceTimersByTime(PROBE_MS);
    // Seen being written to: it settles, though its file is whole by now.
    expect(stateOf(made, 'busy')).toBe('settling');
    vi.advanceTimersByTime(SETTLE_MS / 2);
    made.onEvent('change', 'busy');
    vi.advanceTimersByTime(SETTLE_MS / 2);
    expect(stateOf(made, 'busy')).toBe('settling');
    vi.advanceTimersByTime(SETTLE_MS);
    expect(drain(made)).toEqual(['busy']);
  });

  it('a job in line that is written to again leaves the line until it settles again', () => {
    const {intake: made} = intake();
    drop('j');
    made.onEvent('rename', 'j');
    vi.advanceTimersByTime(PROBE_MS);
    made.onEvent('change', 'j');
    expect(stateOf(made, 'j')).toBe('settling');
    expect(made.next()).toBeUndefined();
    vi.advanceTimersByTime(SETTLE_MS);
    expect(drain(made)).toEqual(['j']);
  });

  it('a file that goes away while it settles is dropped', () => {
    const {intake: made, told} = intake();
    fs.writeFileSync(path.join(paths.jobqueue, 'gone'), '');
    made.onEvent('rename', 'gone');
    vi.advanceTimersByTime(PROBE_MS);
    fs.rmSync(path.join(paths.jobqueue, 'gone'));
    vi.advanceTimersByTime(SETTLE_MS);
    expect(made.open.has('gone')).toBe(false);
    expect(told.left).toBe(1);
  });
});

describe('files found by listing', () => {
  it('a backlog is read ahead in windows, and drawn in order', () => {
    const names = Array.from({length: 25}, (_, i) => `j${String(i).padStart(2, '0')}`);
    for (const name of names) drop(name);
    const {intake: made, told} = intake({readAhead: 10});
    expect(made.list()).toBe(25);
    // Only the window's files were read; the rest wait as bare names.
    expect(made.queue.size).toBe(10);
    expect(made.open.size).toBe(25);
    expect([stateOf(made, 'j09'), stateOf(made, 'j10')]).toEqual(['listed', 'unread']);
    // Listed again, nothing is new.
    expect(made.list()).toBe(0);
    expect(drain(made)).toEqual(names);
    vi.advanceTimersByTime(200);
    expect(told.found).toEqual([25]);
  });

  it('the background sweep puts a job of raised priority far down the backlog in line at once', () => {
    const names = Array.from({length: 30}, (_, i) => `j${String(i).padStart(2, '0')}`);
    for (const name of names) drop(name, name === 'j27' ? jobText('priority = 3\n') : jobText());
    const {intake: made, told} = intake({readAhead: 5});
    made.list();
    expect(made.queue.has('j27')).toBe(false);
    // The sweep reads beyond the window in the background, a slice after each pause.
    vi.advanceTimersByTime(40);
    expect(made.queue.has('j27')).toBe(true);
    expect(told.readied).toBe(1);
    expect(drain(made)).toEqual(['j27', ...names.filter((name) => name !== 'j27')]);
  });

  it('once the sweep is through, the rest is drawn strictly in order: priority, then name', () => {
    const names = Array.from({length: 12}, (_, i) => `j${String(i).padStart(2, '0')}`);
    // j03 and j08 are lowered (beyond the window, the sweep alone learns that).
    for (const name of names) drop(name, name === 'j03' || name === 'j08' ? jobText('priority = -1\n') : jobText());
    const {intake: made} = intake({readAhead: 2});
    made.list();
    vi.advanceTimersByTime(40);
    expect(drain(made)).toEqual(['j00', 'j01', 'j02', 'j04', 'j05', 'j06', 'j07', 'j09', 'j10', 'j11', 'j03', 'j08']);
  });

  it('one written moments ago settles before it goes', () => {
    let age = 10;
    const {intake: made} = intake({age: () => age});
    drop('young');
    made.list();
    expect(made.next()).toBeUndefined();
    expect(stateOf(made, 'young')).toBe('settling');
    age = OLD;
    vi.advanceTimersByTime(SETTLE_MS);
    expect(stateOf(made, 'young')).toBe('seen');
    expect(drain(made)).toEqual(['young']);
  });

  it('a directory in jobqueue/ is told once and left alone; the jobs beside it go', () => {
    const {intake: made, told} = intake();
    fs.mkdirSync(path.join(paths.jobqueue, 'a-directory'));
    drop('ok');
    made.list();
    expect(drain(made)).toEqual(['ok']);
    made.list();
    made.onEvent('change', 'a-directory');
    expect(told.notJobs).toEqual(['a-directory']);
    expect(made.open.has('a-directory')).toBe(false);
  });
});

// The stats of jobqueue/'s files that `action` makes.
function statsOfJobqueue(action: () => void): number {
  const spy = vi.spyOn(fs, 'lstatSync');
  try {
    action();
    return spy.mock.calls.filter(([file]) => String(file).startsWith(paths.jobqueue)).length;
  } finally {
    spy.mockRestore();
  }
}

describe('a job file read moments ago', () => {
  it('is handed out by what its read saw, without a stat, while the watch works', () => {
    const {intake: made} = intake({watching: true});
    drop('a');
    made.list();
    let name: string | undefined;
    expect(statsOfJobqueue(() => (name = made.next()?.name))).toBe(0);
    expect(name).toBe('a');
  });

  it("is stat'ed when the watch does not work", () => {
    const {intake: made} = intake({watching: false});
    drop('a');
    made.list();
    expect(statsOfJobqueue(() => made.next())).toBe(1);
  });

  it("is stat'ed when it was read a while ago (read ahead of a backlog)", () => {
    const {intake: made} = intake({watching: true});
    drop('a');
    made.list();
    const now = vi.spyOn(performance, 'now').mockReturnValue(performance.now() + FRESH_READ_MS);
    try {
      expect(statsOfJobqueue(() => made.next())).toBe(1);
    } finally {
      now.mockRestore();
    }
  });

  it('found by listing and written moments ago, it settles first, by what its read saw', () => {
    const {intake: made} = intake({watching: true, age: () => SETTLE_MS / 2});
    drop('a');
    made.list();
    expect(statsOfJobqueue(() => expect(made.next()).toBeUndefined())).toBe(0);
    expect(stateOf(made, 'a')).toBe('settling');
  });
});

describe("the dispatcher's own renames out of jobqueue/", () => {
  it('the event of a job handed out is not looked into: no stat of the file that has gone', () => {
    const {intake: made} = intake();
    drop('a');
    made.list();
    const meta = made.next();
    expect(meta?.name).toBe('a');
    made.taken('a');
    fs.renameSync(path.join(paths.jobqueue, 'a'), path.join(root, 'moved-a'));
    made.movedOut('a');
    expect(statsOfJobqueue(() => made.onEvent('rename', 'a'))).toBe(0);
    expect(made.open.has('a')).toBe(false);
  });

  it('a new file of the same name, dropped right after, is still seen from its own event', () => {
    const {intake: made, told} = intake();
    drop('a');
    made.list();
    made.next();
    made.taken('a');
    fs.renameSync(path.join(paths.jobqueue, 'a'), path.join(root, 'moved-a'));
    made.movedOut('a');
    drop('a');
    // The event of the hand-out, then the new file's.
    made.onEvent('rename', 'a');
    made.onEvent('rename', 'a');
    vi.advanceTimersByTime(PROBE_MS);
    expect(stateOf(made, 'a')).toBe('seen');
    expect(told.readied).toBeGreaterThan(0);
    expect(drain(made)).toEqual(['a']);
  });

  it('a listing forgets what was expected: without a watch, nothing piles up, and every event after it is looked into', () => {
    const {intake: made} = intake();
    drop('a');
    made.list();
    made.next();
    made.taken('a');
    fs.renameSync(path.join(paths.jobqueue, 'a'), path.join(root, 'moved-a'));
    made.movedOut('a');
    made.list();
    expect(statsOfJobqueue(() => made.onEvent('rename', 'a'))).toBe(1);
  });
});
