// What a worker process offers its jobs, from its options and its host: its slots; its cpus
// (the slots, or --cpus); its memory (--memory, else what is free as it starts); its GPUs
// (--gpus, else the ids in CUDA_VISIBLE_DEVICES, else those `nvidia-smi -L` lists, else none).
import os from 'node:os';
import type {Capacity} from '../job/resources.js';

export interface CapacityOptions {
  slots?: number;
  cpus?: number;
  memoryBytes?: number;
  gpus?: string[];
}

// The slots a worker gets when none are asked for by `recruiter hire`: the CPUs minus one, at
// least one.
export function defaultSlots(): number {
  return Math.max(1, os.availableParallelism() - 1);
}

export function detectCapacity(options: CapacityOptions): Capacity {
  const slots = options.slots ?? 1;
  return {
    slots,
    cpus: options.cpus ?? slots,
    memoryBytes: options.memoryBytes ?? os.freemem(),
    gpus: options.gpus ?? [],
  };
}
