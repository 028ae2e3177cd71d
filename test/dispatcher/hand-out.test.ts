// Packing jobs into workers by what they ask for (cpus, GPUs, memory, best fit, one job in
// advance, a worker of an earlier fjd), and the job no worker can run: the pairing driven
// directly (pairing.ts), no processes, no clock.
import {describe, expect, it} from 'vitest';
import {ask, cap, G, Pairing} from './pairing.js';

describe('packing by request', () => {
  it('a 2-cpu job and two 1-cpu jobs on a 2-slot worker never hold more than 2 cpus', () => {
    const p = new Pairing();
    p.worker('w', cap(2));
    p.drop(['big'], ask(2));
    p.drop(['s1', 's2']);
    expect(p.pair()).toEqual(['big→w']);
    expect(p.inUse('w').cpus).toBe(2);
    // However often it pairs, nothing more fits.
    expect(p.pair()).toEqual([]);
    p.end('big');
    expect(p.pair()).toEqual(['s1→w', 's2→w']);
    expect(p.inUse('w')).toMatchObject({jobs: 2, cpus: 2});

    // The other way round: the big one waits for both to end, and nothing passes it.
    p.drop(['big2'], ask(2));
    p.drop(['s3']);
    expect(p.pair()).toEqual([]);
    p.end('s1');
    expect(p.pair()).toEqual([]);
    expect(p.inUse('w').cpus).toBe(1);
    p.end('s2');
    expect(p.pair()).toEqual(['big2→w']);
    p.end('big2');
    expect(p.pair()).toEqual(['s3→w']);
  });

  it('GPUs: as many GPU jobs at once as the worker has GPUs; a job without GPUs goes to a worker without them', () => {
    const p = new Pairing();
    p.worker('gpu', cap(8, {gpus: ['0', '1']}));
    p.worker('cpu', cap(8));
    p.drop(['g1', 'g2', 'g3'], ask(1, {gpus: 1}));
    p.drop(['plain']);
    expect(p.pair()).toEqual(['g1→gpu', 'g2→gpu', 'plain→cpu']);
    expect(p.inUse('gpu').gpus).toBe(2);
    p.end('g2');
    expect(p.pair()).toEqual(['g3→gpu']);
    // Both idle: a job that asks for no GPU leaves the GPUs to those that do.
    const q = new Pairing();
    q.worker('gpu', cap(8, {gpus: ['0']}));
    q.worker('cpu', cap(8));
    q.drop(['plain']);
    expect(q.pair()).toEqual(['plain→cpu']);
  });

  it('memory: jobs whose memory together exceeds the worker’s run one after the other, small ones beside them', () => {
    const p = new Pairing();
    p.worker('m', cap(4, {memoryBytes: 8 * G}));
    p.drop(['a'], ask(1, {memoryBytes: 6 * G}));
    p.drop(['small'], ask(1, {memoryBytes: 1 * G}));
    p.drop(['b'], ask(1, {memoryBytes: 6 * G}));
    expect(p.pair()).toEqual(['a→m', 'small→m']);
    expect(p.inUse('m').memoryBytes).toBe(7 * G);
    p.end('small');
    expect(p.pair()).toEqual([]);
    p.end('a');
    expect(p.pair()).toEqual(['b→m']);
  });

  it('best fit: a job goes where least is left over, after a worker that sees its pod at once', () => {
    const p = new Pairing();
    p.worker('a', cap(4));
    p.worker('b', cap(4));
    p.drop(['a1', 'a2', 'a3']);
    expect(p.pair()).toEqual(['a1→a', 'a2→a', 'a3→a']);
    // a has 1 cpu free, b 4: a 1-cpu job fills a, a 2-cpu job goes to b.
    p.drop(['one']);
    p.drop(['two'], ask(2));
    expect(p.pair()).toEqual(['one→a', 'two→b']);
    // A worker on another host (it sees a job only at its next look) fits better, but the one
    // here is preferred.
    const q = new Pairing();
    q.worker('there', cap(1), true);
    q.worker('here', cap(8));
    q.drop(['j']);
    expect(q.pair()).toEqual(['j→here']);
  });

  it('a worker of short jobs gets one job in advance, never two', () => {
    const p = new Pairing();
    const w = p.worker('w', cap(1));
    p.drop(['j1', 'j2', 'j3', 'j4']);
    expect(p.pair()).toEqual(['j1→w']);
    w.lastDurationMs = 50;
    expect(p.pair()).toEqual(['j2→w']);
    expect(p.pair()).toEqual([]);
    p.end('j1');
    expect(p.pair()).toEqual(['j3→w']);
    expect(p.inUse('w').jobs).toBe(2);
  });

  it('a worker of an earlier fjd (no capacity in its info.json) gets only jobs of 1 cpu and no GPU, one at a time; told once', () => {
    const p = new Pairing();
    p.worker('old', undefined);
    p.worker('old2', undefined);
    p.drop(['two'], ask(2));
    p.drop(['gpu'], ask(1, {gpus: 1}));
    p.drop(['d1', 'd2', 'd3']);
    expect(p.pair()).toEqual(['d1→old', 'd2→old2']);
    const warnings = p.events.filter((e) => e.type === 'warning').map((e) => e.message);
    expect(warnings).toEqual([
      'worker old is of an earlier fjd (its info.json says nothing of its slots): it is given one job at a time, of 1 cpu and no GPU (and any other such worker is not told of again); fire it and hire it again with this fjd to give it more',
    ]);
    expect(p.events.filter((e) => e.type === 'job-unfittable')).toEqual([
      {type: 'job-unfittable', name: 'two', request: ask(2), reason: 'needs 2 cpus; the largest worker offers 1 cpu'},
      {
        type: 'job-unfittable',
        name: 'gpu',
        request: ask(1, {gpus: 1}),
        reason: 'needs 1 GPU; the largest worker offers 0 GPUs',
      },
    ]);
    p.end('d1');
    expect(p.pair()).toEqual(['d3→old']);
  });
});

describe('the job no worker can run', () => {
  it('waits, told once per kind of request, and goes when a big enough worker registers', () => {
    const p = new Pairing();
    p.worker('small', cap(4));
    p.drop(['big1', 'big2'], ask(8));
    p.drop(['gpu'], ask(1, {gpus: 1}));
    p.drop(['plain']);
    expect(p.pair()).toEqual(['plain→small']);
    expect(p.events.filter((e) => e.type === 'job-unfittable')).toEqual([
      {type: 'job-unfittable', name: 'big1', request: ask(8), reason: 'needs 8 cpus; the only worker offers 4 cpus'},
      {
        type: 'job-unfittable',
        name: 'gpu',
        request: ask(1, {gpus: 1}),
        reason: 'needs 1 GPU; the only worker offers 0 GPUs',
      },
    ]);
    // Held, not in line: pairing again looks at none of them.
    expect(p.queue.size).toBe(0);
    expect(p.pair()).toEqual([]);
    p.worker('large', cap(8));
    expect(p.pair()).toEqual(['big1→large']);
    // big2 waits for it (it fits now), gpu still fits no worker.
    expect(p.events.filter((e) => e.type === 'job-unfittable')).toHaveLength(2);
    p.end('big1');
    expect(p.pair()).toEqual(['big2→large']);
  });
});
