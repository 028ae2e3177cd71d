// The GPU ids a worker is given (--gpus), parsed as CUDA_VISIBLE_DEVICES names them, and the
// reason a request that no worker could ever fit gives.
import {describe, expect, it} from 'vitest';
import {parseGpuIds, unfittable} from '../../src/job/resources.js';
import {errorOf} from '../helpers/errors.js';

describe('a list of GPU ids', () => {
  it.each([
    ['0,1,3', ['0', '1', '3']],
    [' 2 , 0 ', ['2', '0']],
    ['GPU-8f2e-11,1', ['GPU-8f2e-11', '1']],
    ['0,,1,', ['0', '1']],
    ['', []],
    ['none', []],
    ['NONE', []],
  ])('reads %j as %j', (text, ids) => {
    expect(parseGpuIds(text)).toEqual(ids);
  });

  it('refuses an id named twice, naming it', () => {
    const error = errorOf(() => parseGpuIds('0,1,0', '--gpus'));
    expect(error.code).toBe('USAGE');
    expect(error.message).toBe('--gpus names GPU 0 twice');
  });
});

describe('a request no worker could fit', () => {
  const worker = (cpus: number, memoryBytes: number | null, gpus: string[] = []) => ({
    slots: cpus,
    cpus,
    memoryBytes,
    gpus,
  });

  it('names the first resource short and what the largest (or only) worker offers', () => {
    const request = {cpus: 8, memoryBytes: 0, gpus: 0};
    expect(unfittable(request, [worker(4, null)])).toBe('needs 8 cpus; the only worker offers 4 cpus');
    expect(unfittable(request, [worker(4, null), worker(2, null)])).toBe(
      'needs 8 cpus; the largest worker offers 4 cpus',
    );
    expect(unfittable({cpus: 1, memoryBytes: 0, gpus: 1}, [worker(4, null)])).toBe(
      'needs 1 GPU; the only worker offers 0 GPUs',
    );
    expect(
      unfittable({cpus: 1, memoryBytes: 8 * 1024 ** 3, gpus: 0}, [worker(4, 4 * 1024 ** 3), worker(2, 1024 ** 3)]),
    ).toBe('needs 8G of memory; the largest worker offers 4G');
    expect(unfittable(request, [worker(8, null)])).toBeUndefined();
  });
});
