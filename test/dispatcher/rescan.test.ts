// The pacing of the rescan loop: every rescan interval (four times less often when the home is
// idle), stretched so that looking takes about 2% of the time; the pairing after a look is no
// part of its cost. Driven with vitest's fake timers and a clock the test moves.
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';
import {nextRescanDelay, RescanLoop} from '../../src/dispatcher/rescan.js';
import {Timers} from '../../src/util/timers.js';

describe('nextRescanDelay', () => {
  it('is the rescan interval while the look is cheap, four of them when the home is quiet, eight when it is watched too', () => {
    expect(nextRescanDelay({rescanMs: 1000, lookMs: 3, quiet: false})).toBe(1000);
    expect(nextRescanDelay({rescanMs: 1000, lookMs: 3, quiet: true})).toBe(4000);
    // Watched, only other hosts' changes wait for a rescan.
    expect(nextRescanDelay({rescanMs: 1000, lookMs: 3, quiet: true, watched: true})).toBe(8000);
    expect(nextRescanDelay({rescanMs: 1000, lookMs: 3, quiet: false, watched: true})).toBe(1000);
  });

  it('keeps a slow look (a huge backlog listed) to about 2% of the time', () => {
    expect(nextRescanDelay({rescanMs: 1000, lookMs: 100, quiet: false})).toBe(5000);
    expect(nextRescanDelay({rescanMs: 1000, lookMs: 100, quiet: true})).toBe(5000);
  });
});

describe('the rescan loop', () => {
  let timers: Timers;
  let now = 0;
  beforeEach(() => {
    vi.useFakeTimers();
    timers = new Timers();
  });
  afterEach(() => {
    timers.clearAll();
    vi.useRealTimers();
  });

  // A loop whose look costs `lookMs` and whose pairing `pairMs`, by the test's clock.
  function loop(lookMs: number, pairMs: number, look = (): boolean => true): {looks: number[]} {
    const seen = {looks: [] as number[]};
    const rescans = new RescanLoop(
      1000,
      {
        run: (action) => action(),
        look: () => {
          seen.looks.push(Date.now());
          now += lookMs;
          return look();
        },
        pair: () => {
          now += pairMs;
        },
        quiet: () => false,
      },
      timers,
      () => now,
    );
    rescans.start();
    return seen;
  }

  it('does not count the jobs handed out after a look as its cost', () => {
    // 200 workers paired after each look: 5 s of pairing after a look of 2 ms.
    const {looks} = loop(2, 5000);
    vi.advanceTimersByTime(3000);
    expect(looks.map((at) => at - (looks[0] ?? 0))).toEqual([0, 1000, 2000]);
  });

  it('stretches the interval after a slow look', () => {
    const {looks} = loop(100, 0);
    vi.advanceTimersByTime(1000 + 5000 + 5000);
    expect(looks.map((at) => at - (looks[0] ?? 0))).toEqual([0, 5000, 10000]);
  });

  it('a rescan that may not look (the home unsafe or gone) pairs nothing and comes again', () => {
    let pairs = 0;
    const rescans = new RescanLoop(
      1000,
      {run: (action) => action(), look: () => false, pair: () => pairs++, quiet: () => false},
      timers,
    );
    rescans.start();
    vi.advanceTimersByTime(3000);
    expect(pairs).toBe(0);
    expect(vi.getTimerCount()).toBe(1);
  });

  it('starts no rescan once the timers are cleared', () => {
    const {looks} = loop(2, 0);
    vi.advanceTimersByTime(1000);
    timers.clearAll();
    vi.advanceTimersByTime(5000);
    expect(looks).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});
