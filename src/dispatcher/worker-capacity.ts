// What a worker offers, as its info.json says (WorkerInfo.capacity, written by the worker
// before it announces itself). A worker of an earlier fjd says nothing: it runs one job at a
// time, and is taken for one slot and one cpu (packing.ts: EARLIER_CAPACITY); so is one whose
// capacity cannot be read, with the reason.
import type {WorkerInfo} from '../home/registry.js';
import type {Capacity} from '../job/resources.js';
import {EARLIER_CAPACITY} from './packing.js';

export interface ReadCapacity {
  capacity: Capacity;
  // Why it was taken for one slot and one cpu (for a warning, given the worker's id).
  trouble?: (worker: string) => string;
}

const count = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;

export function capacityIn(info: WorkerInfo): ReadCapacity {
  const capacity = info.capacity as Partial<Capacity> | undefined | null;
  if (capacity === undefined || capacity === null) {
    return {
      capacity: EARLIER_CAPACITY,
      trouble: (worker) =>
        `worker ${worker} is of an earlier fjd (its info.json says nothing of its slots): it is given one job at a time, of 1 cpu and no GPU (and any other such worker is not told of again); fire it and hire it again with this fjd to give it more`,
    };
  }
  const {slots, cpus, memoryBytes, gpus} = capacity;
  if (
    count(slots) &&
    count(cpus) &&
    (memoryBytes === null || (typeof memoryBytes === 'number' && memoryBytes >= 0)) &&
    Array.isArray(gpus) &&
    gpus.every((gpu) => typeof gpu === 'string')
  )
    return {capacity: {slots, cpus, memoryBytes, gpus}};
  return {
    capacity: EARLIER_CAPACITY,
    trouble: (worker) =>
      `the capacity in the info.json of worker ${worker} cannot be read (${JSON.stringify(capacity)}): it is given one job at a time, of 1 cpu and no GPU (and any other such worker is not told of again)`,
  };
}
