// The slots of a worker process driven directly: which slot and GPUs a job gets, what does
// not fit now, what could never fit, and what an ended job gives back.
import {describe, expect, it} from 'vitest';
import type {Capacity, Request} from '../../src/job/resources.js';
import {Slots} from '../../src/worker/slots.js';

const GIB = 1024 ** 3;
const ask = (cpus: number, gpus = 0, memoryBytes = 0): Request => ({cpus, memoryBytes, gpus});
const capacity = (more: Partial<Capacity> = {}): Capacity => ({
  slots: 2,
  cpus: 2,
  memoryBytes: null,
  gpus: [],
  ...more,
});

describe('the slots of a worker process', () => {
  it('never gives out more cpus than it has: a 2-cpu job and two 1-cpu jobs on 2 slots', () => {
    const slots = new Slots(capacity());
    const big = slots.allocate(ask(2));
    expect(big).toEqual({slot: 1, cpus: 2, memoryBytes: 0, gpus: []});
    expect(slots.allocate(ask(1))).toBeUndefined();
    expect(slots.free()).toEqual({slots: 1, cpus: 0, memoryBytes: null, gpus: 0});
    expect(slots.release(1)).toBe(true);
    expect(slots.allocate(ask(1))?.slot).toBe(1);
    expect(slots.allocate(ask(1))?.slot).toBe(2);
    expect(slots.allocate(ask(2))).toBeUndefined();
    expect(slots.free()).toEqual({slots: 0, cpus: 0, memoryBytes: null, gpus: 0});
  });

  it('gives the lowest free slot, reusing one given back', () => {
    const slots = new Slots(capacity({slots: 3, cpus: 3}));
    expect([1, 2, 3].map(() => slots.allocate(ask(1))?.slot)).toEqual([1, 2, 3]);
    expect(slots.allocate(ask(1))).toBeUndefined();
    slots.release(2);
    expect(slots.allocate(ask(1))?.slot).toBe(2);
    expect(slots.running().map((allocation) => allocation.slot)).toEqual([1, 2, 3]);
    expect(slots.release(7)).toBe(false);
  });

  it('lets fewer cpus than slots bound how many 1-cpu jobs run at once', () => {
    const slots = new Slots(capacity({slots: 4, cpus: 2}));
    expect(slots.allocate(ask(1))?.slot).toBe(1);
    expect(slots.allocate(ask(1))?.slot).toBe(2);
    expect(slots.allocate(ask(1))).toBeUndefined();
  });

  it('gives each job its own GPUs, the lowest free in the order the capacity lists them', () => {
    const slots = new Slots(capacity({slots: 4, cpus: 4, gpus: ['0', '1', '3']}));
    expect(slots.allocate(ask(1, 1))?.gpus).toEqual(['0']);
    expect(slots.allocate(ask(1, 2))?.gpus).toEqual(['1', '3']);
    expect(slots.allocate(ask(1, 1))).toBeUndefined();
    expect(slots.allocate(ask(1))?.gpus).toEqual([]);
    slots.release(1);
    expect(slots.free().gpus).toBe(1);
    expect(slots.allocate(ask(1, 1))).toEqual({slot: 1, cpus: 1, memoryBytes: 0, gpus: ['0']});
  });

  it('counts memory when the capacity has it, and not when it is null', () => {
    const counted = new Slots(capacity({memoryBytes: 4 * GIB}));
    expect(counted.allocate(ask(1, 0, 3 * GIB))).toBeDefined();
    expect(counted.allocate(ask(1, 0, 2 * GIB))).toBeUndefined();
    expect(counted.allocate(ask(1, 0, GIB))).toBeDefined();
    expect(counted.free().memoryBytes).toBe(0);
    const uncounted = new Slots(capacity());
    expect(uncounted.allocate(ask(1, 0, 1024 * GIB))).toBeDefined();
  });

  it('takes nothing for a job that does not fit', () => {
    const slots = new Slots(capacity({gpus: ['0']}));
    const before = slots.free();
    expect(slots.allocate(ask(1, 2))).toBeUndefined();
    expect(slots.allocate(ask(3))).toBeUndefined();
    expect(slots.free()).toEqual(before);
    expect(slots.running()).toEqual([]);
  });

  it('starts from the jobs already running', () => {
    const slots = new Slots(capacity({slots: 3, cpus: 3, gpus: ['0', '1']}), [
      {slot: 2, cpus: 1, memoryBytes: 0, gpus: ['0']},
    ]);
    expect(slots.allocate(ask(1, 1))).toEqual({slot: 1, cpus: 1, memoryBytes: 0, gpus: ['1']});
    expect(slots.allocate(ask(1, 1))).toBeUndefined();
    expect(slots.allocate(ask(1))?.slot).toBe(3);
  });

  it('says why a job could never fit, even with the worker idle, and nothing for one that only must wait', () => {
    const slots = new Slots(capacity({slots: 4, cpus: 4, memoryBytes: 4 * GIB, gpus: ['0']}));
    expect(slots.neverFits(ask(8))).toBe('needs 8 cpus; this worker offers 4 cpus');
    expect(slots.neverFits(ask(1, 2))).toBe('needs 2 GPUs; this worker offers 1 GPU');
    expect(slots.neverFits(ask(1, 0, 8 * GIB))).toBe('needs 8G of memory; this worker offers 4G');
    expect(new Slots(capacity()).neverFits(ask(1, 1))).toBe('needs 1 GPU; this worker offers 0 GPUs');
    slots.allocate(ask(4));
    expect(slots.neverFits(ask(4))).toBeUndefined();
  });
});
