// The intake of job files driven directly (intake-helpers.ts: a home of its own, fake timers,
// no processes): files seen to appear are probed, or settle while they are written to; files
// found by listing are read ahead in windows and swept in the background, drawn in order.
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it, vi} from 'vitest';
import {
  drain,
  drop,
  intake,
  jobText,
  OLD,
  paths,
  PROBE_MS,
  SETTLE_MS,
  stateOf,
  useIntakeHome,
} from './intake-helpers.js';

useIntakeHome();

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
