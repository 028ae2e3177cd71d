// The worker's timers: a one-shot started again fires once, for its last start; a pause ends
// early when cut short; and clearing them all leaves nothing to fire.
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';
import {Timers} from '../../src/util/timers.js';

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('Timers', () => {
  it('a one-shot started again fires once, with the argument of its last start', () => {
    const fired: string[] = [];
    const timer = new Timers().oneShot((id: string) => fired.push(id));
    timer.start(1000, 'a');
    vi.advanceTimersByTime(500);
    timer.start(1000, 'b');
    vi.advanceTimersByTime(999);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(['b']);
    vi.advanceTimersByTime(5000);
    expect(fired).toEqual(['b']);
  });

  it('a pause ends when its time is up, or at once when cut short', async () => {
    const pause = new Timers().pause();
    let over = false;
    const waiting = pause.wait(5000).then(() => (over = true));
    await vi.advanceTimersByTimeAsync(4999);
    expect(over).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(over).toBe(true);
    await waiting;
    const cut = pause.wait(60_000);
    pause.cutShort();
    await cut;
    expect(vi.getTimerCount()).toBe(0);
  });

  it('clearAll leaves no timer, soon or pause to fire or to keep the process alive', async () => {
    const timers = new Timers();
    const fired: string[] = [];
    timers.oneShot(() => fired.push('one-shot')).start(100);
    const soon = timers.soon(() => fired.push('soon'));
    soon.ask();
    soon.ask();
    const pause = timers.pause().wait(100);
    timers.clearAll();
    await pause;
    await vi.runAllTimersAsync();
    expect(fired).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('soon runs once in the next turn however often it is asked', async () => {
    const fired: string[] = [];
    const soon = new Timers().soon(() => fired.push('soon'));
    soon.ask();
    soon.ask();
    await vi.runAllTimersAsync();
    expect(fired).toEqual(['soon']);
  });
});
