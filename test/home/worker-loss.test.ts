// Why a worker is presumed lost, as a value, and the text records and the dispatcher give for it.
import {describe, expect, it} from 'vitest';
import {describeLoss, workerLostReason} from '../../src/home/worker-loss.js';

describe('worker losses', () => {
  it('says what happened to the worker', () => {
    expect(describeLoss({cause: 'process-gone'})).toBe('its process is gone');
    expect(describeLoss({cause: 'no-heartbeat', leaseMs: 30_000})).toBe('no heartbeat for 30 s');
  });

  it('gives the reason records carry, "worker lost (…)"', () => {
    expect(workerLostReason({cause: 'process-gone'})).toBe('worker lost (its process is gone)');
    expect(workerLostReason({cause: 'no-heartbeat', leaseMs: 2000})).toBe('worker lost (no heartbeat for 2 s)');
  });
});
