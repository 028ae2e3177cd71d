// One-shot timers made through one Timers and cleared there at once.
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';
import {Timers} from '../../src/util/timers.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Timers', () => {
  it('a one-shot fires once; start moves it, soon leaves a pending one be', () => {
    const timers = new Timers();
    const fired: number[] = [];
    const once = timers.oneShot(() => fired.push(Date.now()));
    const t0 = Date.now();
    once.soon(100);
    once.soon(10);
    vi.advanceTimersByTime(100);
    once.start(100);
    once.start(50);
    expect(once.pending).toBe(true);
    vi.advanceTimersByTime(1000);
    expect(fired.map((at) => at - t0)).toEqual([100, 150]);
    expect(once.pending).toBe(false);
  });

  it('keyed timers fire once per key, given the key; starting a key again moves its timer', () => {
    const timers = new Timers();
    const fired: string[] = [];
    const keyed = timers.keyed((key: string) => fired.push(key));
    keyed.start('a', 10);
    keyed.start('b', 20);
    keyed.start('a', 30);
    keyed.start('c', 5);
    keyed.cancel('c');
    vi.advanceTimersByTime(100);
    expect(fired).toEqual(['b', 'a']);
  });

  it('clearAll clears every timer made there, and none starts after it', () => {
    const timers = new Timers();
    let fired = 0;
    const once = timers.oneShot(() => fired++);
    const keyed = timers.keyed(() => fired++);
    once.start(10);
    keyed.start('a', 10);
    timers.clearAll();
    once.start(10);
    keyed.start('b', 10);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(100);
    expect(fired).toBe(0);
  });
});
