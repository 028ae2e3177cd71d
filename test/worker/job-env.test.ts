// The environment a job gets for what it holds: its slot, its cpus, its GPUs, its threads.
import {describe, expect, it} from 'vitest';
import {jobResourceEnv} from '../../src/worker/job-env.js';

describe("a job's resource environment", () => {
  it('names its slot, its cpus, its own GPUs and as many OpenMP threads as cpus', () => {
    expect(jobResourceEnv({slot: 2, cpus: 4, gpus: ['1', '3']}, true, {PATH: '/bin'})).toEqual({
      FJD_SLOT: '2',
      FJD_CPUS: '4',
      CUDA_VISIBLE_DEVICES: '1,3',
      OMP_NUM_THREADS: '4',
    });
  });

  it('gives a job that asked for no GPU an empty CUDA_VISIBLE_DEVICES on a worker with GPUs', () => {
    const env = jobResourceEnv({slot: 1, cpus: 1, gpus: []}, true, {CUDA_VISIBLE_DEVICES: '0,1'});
    expect(env.CUDA_VISIBLE_DEVICES).toBe('');
    expect({CUDA_VISIBLE_DEVICES: '0,1', ...env}.CUDA_VISIBLE_DEVICES).toBe('');
  });

  it('leaves CUDA_VISIBLE_DEVICES as inherited on a worker without GPUs, set or not', () => {
    const workerEnv = {CUDA_VISIBLE_DEVICES: 'NoDevFiles'};
    const env = jobResourceEnv({slot: 3, cpus: 2, gpus: []}, false, workerEnv);
    expect(env).toEqual({FJD_SLOT: '3', FJD_CPUS: '2', OMP_NUM_THREADS: '2'});
    expect({...workerEnv, ...env}.CUDA_VISIBLE_DEVICES).toBe('NoDevFiles');
    expect('CUDA_VISIBLE_DEVICES' in jobResourceEnv({slot: 1, cpus: 1, gpus: []}, false, {})).toBe(false);
  });

  it("keeps OMP_NUM_THREADS when the worker's environment sets it", () => {
    expect(jobResourceEnv({slot: 1, cpus: 4, gpus: []}, false, {OMP_NUM_THREADS: '1'})).toEqual({
      FJD_SLOT: '1',
      FJD_CPUS: '4',
    });
    // Set but empty says nothing: the job's cpus.
    expect(jobResourceEnv({slot: 1, cpus: 4, gpus: []}, false, {OMP_NUM_THREADS: ''}).OMP_NUM_THREADS).toBe('4');
  });
});
