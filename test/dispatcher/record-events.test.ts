// The events of .fjd/records/ driven directly, with vitest's fake timers (setImmediate): which
// records are settled (read), and when; no processes.
import {afterEach, beforeEach, expect, it, vi} from 'vitest';
import {RecordEvents} from '../../src/dispatcher/record-events.js';
import {SeenRecords} from '../../src/dispatcher/seen-records.js';
import {Timers} from '../../src/util/timers.js';

let timers: Timers;
let settled: string[];
let pumped: number;
let events: RecordEvents;
let seen: SeenRecords;

beforeEach(() => {
  vi.useFakeTimers();
  timers = new Timers();
  settled = [];
  pumped = 0;
  seen = new SeenRecords();
  events = new RecordEvents(
    seen,
    timers,
    (action) => action(),
    (name) => {
      settled.push(name);
      return true;
    },
    () => pumped++,
  );
});
afterEach(() => {
  timers.clearAll();
  vi.useRealTimers();
});

it('the events of one turn are settled once per record, after it', () => {
  events.add('a.json', 'rename');
  events.add('a.json', 'change');
  events.add('b.json', 'rename');
  expect(settled).toEqual([]);
  vi.runOnlyPendingTimers();
  expect(settled).toEqual(['a.json', 'b.json']);
  expect(pumped).toBe(1);
});

it('the record the dispatcher has just created itself is not read back; what the worker renames in after it is', () => {
  events.created('a');
  // The dispatcher's own creation: created, then written.
  events.add('a.json', 'rename');
  events.add('a.json', 'change');
  vi.runOnlyPendingTimers();
  expect(settled).toEqual([]);
  // The worker's record, renamed in as the job ends, in the same turn as the creation or later.
  events.created('b');
  events.add('b.json', 'rename');
  events.add('b.json', 'change');
  events.add('b.json', 'rename');
  events.add('a.json', 'rename');
  vi.runOnlyPendingTimers();
  expect(settled).toEqual(['b.json', 'a.json']);
});

it('a rescan forgets what was expected and has not come: every event after it is read', () => {
  events.created('a');
  events.forgetOwn();
  events.add('a.json', 'rename');
  vi.runOnlyPendingTimers();
  expect(settled).toEqual(['a.json']);
});
