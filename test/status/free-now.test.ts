import {describe, expect, it} from 'vitest';
import {notFreeNow} from '../../src/status/free-now.js';
import type {Free, Request} from '../../src/job/resources.js';

const G = 1024 ** 3;
const ask = (request: Partial<Request>): Request => ({cpus: 1, memoryBytes: 0, gpus: 0, ...request});
const free = (room: Partial<Free>): Free => ({slots: 1, cpus: 1, memoryBytes: null, gpus: 0, ...room});

describe('why a job that some worker could run finds no room now', () => {
  it('names the first resource short, and the most of it free on any one worker', () => {
    const frees = [free({cpus: 2, memoryBytes: 4 * G, gpus: 1}), free({cpus: 1, memoryBytes: 8 * G})];
    expect(notFreeNow(ask({cpus: 4}), frees)).toBe('needs 4 cpus; at most 2 are free on any worker');
    expect(notFreeNow(ask({gpus: 2}), frees)).toBe('needs 2 GPUs; at most 1 is free on any worker');
    expect(notFreeNow(ask({memoryBytes: 16 * G}), frees)).toBe('needs 16G of memory; at most 8G is free on any worker');
  });

  it('says "the only worker" when there is one, and nothing when the job fits or no worker takes jobs', () => {
    expect(notFreeNow(ask({cpus: 3}), [free({cpus: 2})])).toBe('needs 3 cpus; the only worker has 2 free');
    expect(notFreeNow(ask({cpus: 2}), [free({cpus: 1}), free({cpus: 2})])).toBeUndefined();
    expect(notFreeNow(ask({cpus: 2}), [])).toBeUndefined();
  });

  it('says so when each resource is free somewhere but not all of it on one worker', () => {
    const frees = [free({cpus: 4}), free({cpus: 1, gpus: 1})];
    expect(notFreeNow(ask({cpus: 4, gpus: 1}), frees)).toBe(
      'needs 4 cpus, 1 GPU on one worker; no worker has all of it free now',
    );
  });

  it('counts memory as free without limit on a worker that does not count it', () => {
    expect(notFreeNow(ask({memoryBytes: 64 * G, cpus: 2}), [free({cpus: 1}), free({cpus: 2, memoryBytes: G})])).toBe(
      'needs 2 cpus, 64G of memory on one worker; no worker has all of it free now',
    );
  });
});
