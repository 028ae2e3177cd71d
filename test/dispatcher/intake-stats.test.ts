// The stats the intake makes of jobqueue/'s files, driven directly (intake-helpers.ts): a job
// file read moments ago goes out by what its read saw, without a stat, while the watch works;
// the events of the dispatcher's own renames out of jobqueue/ are not looked into.
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it, vi} from 'vitest';
import {FRESH_READ_MS} from '../../src/dispatcher/intake.js';
import {drain, drop, intake, paths, PROBE_MS, root, SETTLE_MS, stateOf, useIntakeHome} from './intake-helpers.js';

useIntakeHome();

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
