// The reservation that keeps a big job from starving behind a stream of small ones, a job of
// higher priority passing it, and how far the pairing looks past jobs that fit nowhere now:
// the pairing driven directly (pairing.ts), in simulated time, no processes.
import {describe, expect, it} from 'vitest';
import {LOOK_PAST} from '../../src/dispatcher/hand-out.js';
import {DEFAULT_REQUEST} from '../../src/job/resources.js';
import {ask, cap, Pairing} from './pairing.js';

describe('the reservation', () => {
  it('a 4-cpu job at the head, a stream of 1-cpu jobs behind, two 4-cpu workers: the big one gets a worker within the time the jobs take, the small ones go to the other', () => {
    const p = new Pairing();
    p.worker('x', cap(4));
    p.worker('y', cap(4));
    // Simulated time (ms): each job handed out ends after its duration.
    let now = 0;
    const endsAt = new Map<string, number>();
    let n = 0;
    const pairAt = (durationMs: (job: string) => number): void => {
      for (const pair of p.pair()) {
        const job = pair.split('→')[0] ?? '';
        endsAt.set(job, now + durationMs(job));
      }
    };
    // The workers busy with jobs ending one after the other within 10 s: x's at 2.5, 5, 7.5
    // and 10 s, y's 1.25 s before each of those.
    p.drop(['x1', 'x2', 'x3', 'x4', 'y1', 'y2', 'y3', 'y4']);
    pairAt((job) => 2500 * Number(job.slice(1)) - (job.startsWith('y') ? 1250 : 0));
    expect(p.handed.map((h) => `${h.job}→${h.worker}`).sort()).toEqual([
      'x1→x',
      'x2→x',
      'x3→x',
      'x4→x',
      'y1→y',
      'y2→y',
      'y3→y',
      'y4→y',
    ]);
    expect(p.inUse('x').cpus + p.inUse('y').cpus).toBe(8);
    // The big one comes first in line, a stream of small ones of 10 s behind it: one more
    // small job in line for each that ends.
    p.drop(['big'], ask(4));
    const arrived = now;
    p.drop(Array.from({length: 8}, () => `s${++n}`));
    let bigAt: number | undefined;
    let bigOn: string | undefined;
    const smallWhileWaiting = new Set<string>();
    while (now < 60_000) {
      const [job, at] = [...endsAt].sort((a, b) => a[1] - b[1])[0] ?? ['', Infinity];
      now = at;
      endsAt.delete(job);
      p.end(job);
      p.drop([`s${++n}`]);
      const before = p.handed.length;
      pairAt(() => 10_000);
      for (const h of p.handed.slice(before)) {
        if (h.job === 'big') {
          bigAt = now;
          bigOn = h.worker;
        } else if (bigAt === undefined) smallWhileWaiting.add(h.worker);
      }
      for (const id of ['x', 'y']) expect(p.inUse(id).cpus).toBeLessThanOrEqual(4);
    }
    expect(bigAt, 'the big job was handed out').toBeDefined();
    expect(bigAt ?? Infinity).toBeLessThanOrEqual(arrived + 10_000);
    const other = bigOn === 'x' ? 'y' : 'x';
    // While it waited, the small ones went to the other worker only, and it was never idle.
    expect([...smallWhileWaiting]).toEqual([other]);
    expect(p.handed.filter((h) => h.worker === other).length).toBeGreaterThan(8);
  });

  it('a job of higher priority that comes later goes before the reserved one, even to its worker', () => {
    const p = new Pairing();
    p.worker('x', cap(2));
    p.drop(['x1', 'x2']);
    p.pair();
    p.drop(['big'], ask(2));
    p.drop(['small']);
    p.end('x1');
    // big reserves x: small, behind it, waits.
    expect(p.pair()).toEqual([]);
    p.drop(['urgent'], DEFAULT_REQUEST, 10);
    expect(p.pair()).toEqual(['urgent→x']);
  });

  it('looks past at most LOOK_PAST jobs that fit nowhere now, and takes none from the line when no worker has room', () => {
    const p = new Pairing();
    p.worker('v', cap(4));
    p.worker('w', cap(4));
    p.drop(['v3', 'w3'], ask(3));
    expect(p.pair()).toEqual(['v3→v', 'w3→w']);
    // One cpu free on each: 100 jobs of 2 cpus (the first reserves v), then one of 1 cpu far
    // behind them.
    p.drop(
      Array.from({length: 100}, (_, i) => `two${i}`),
      ask(2),
    );
    p.drop(['one']);
    p.taken = 0;
    expect(p.pair()).toEqual([]);
    expect(p.taken).toBe(LOOK_PAST);
    // All of them are still in line, in their order.
    expect(p.queue.size).toBe(101);
    expect(p.queue.pop()?.name).toBe('two0');
    // Full: nothing is taken from the line at all.
    const full = new Pairing();
    full.worker('f', cap(1));
    full.drop(['f1', 'f2']);
    expect(full.pair()).toEqual(['f1→f']);
    full.taken = 0;
    expect(full.pair()).toEqual([]);
    expect(full.taken).toBe(0);
  });
});
