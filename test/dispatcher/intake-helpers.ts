// An intake of job files (intake.ts) driven directly, for intake.test.ts and intake-stats.test.ts:
// a home of its own made before each test and removed after it, vitest's fake timers for
// probing, settling and the background sweep, and what the intake told its effects. What a
// file's age is, the test says (ageOf), so that the file server's clock plays no part. `root`,
// `paths` and `timers` are live bindings, those of the test running now.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, vi} from 'vitest';
import {Intake, type IntakeEffects} from '../../src/dispatcher/intake.js';
import {ensureHome, type HomePaths} from '../../src/home/layout.js';
import {Timers} from '../../src/util/timers.js';

export const SETTLE_MS = 1000;
export const PROBE_MS = 2;
export const OLD = 60_000;

export interface Told {
  readied: number;
  left: number;
  notJobs: string[];
  found: number[];
  refused: string[];
}

export let root: string;
export let paths: HomePaths;
export let timers: Timers;

// Registers the hooks that make and remove the home and the fake timers; call it once at the
// top of a test file.
export function useIntakeHome(): void {
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
}

// An intake over the test's home; `age` says how old every file is, by the server's clock.
export function intake(options: {readAhead?: number; age?: () => number; watching?: boolean} = {}): {
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

export const jobText = (control = ''): string => `[control]\nexecutable = true\n${control}`;

// Drops a job as producers should: written under a hidden name, then renamed into view.
export function drop(name: string, text = jobText()): void {
  const hidden = path.join(paths.jobqueue, `.incoming-${name}`);
  fs.writeFileSync(hidden, text);
  fs.renameSync(hidden, path.join(paths.jobqueue, name));
}

// Every job the intake hands out now, in order.
export function drain(made: Intake): string[] {
  const names: string[] = [];
  for (let meta = made.next(); meta !== undefined; meta = made.next()) {
    names.push(meta.name);
    made.taken(meta.name);
  }
  return names;
}

export const stateOf = (made: Intake, name: string): string | undefined => {
  const arrival = made.open.get(name);
  return typeof arrival === 'object' ? arrival.state : arrival;
};
