// The slots of one worker process and what its running jobs hold of its capacity: which slot
// and which GPUs a job that fits gets (the lowest free ones), and what it gives back when it
// ends. First fit: a job that does not fit now waits for others to end; one that could never
// fit, even with the worker idle, is said so (its reason).
import {fits, freeOf, offers, shortfall, take, type Capacity, type Free, type Request} from '../job/resources.js';

// What one running job holds: its slot (1-based), cpus, memory and GPU ids.
export interface Allocation {
  slot: number;
  cpus: number;
  memoryBytes: number;
  gpus: string[];
}

export class Slots {
  private readonly held = new Map<number, Allocation>();

  // `running`: the jobs that already hold part of `capacity` (each its own slot).
  constructor(
    readonly capacity: Capacity,
    running: readonly Allocation[] = [],
  ) {
    for (const allocation of running) this.held.set(allocation.slot, {...allocation, gpus: [...allocation.gpus]});
  }

  // What is free now: slots, cpus, memory (null: not counted) and GPUs.
  free(): Free {
    let free = freeOf(this.capacity);
    for (const allocation of this.held.values()) {
      free = take(free, {cpus: allocation.cpus, memoryBytes: allocation.memoryBytes, gpus: 0});
    }
    return {...free, gpus: this.freeGpus().length};
  }

  // Takes what `request` needs, with the lowest free slot and the lowest free GPUs (in the
  // order the capacity lists them); undefined, taking nothing, when it does not fit now.
  allocate(request: Request): Allocation | undefined {
    if (!fits(request, this.free())) return undefined;
    let slot = 1;
    while (this.held.has(slot)) slot++;
    const allocation: Allocation = {
      slot,
      cpus: request.cpus,
      memoryBytes: request.memoryBytes,
      gpus: this.freeGpus().slice(0, request.gpus),
    };
    this.held.set(slot, allocation);
    return allocation;
  }

  // Gives back what the job in `slot` held; false when no job held it.
  release(slot: number): boolean {
    return this.held.delete(slot);
  }

  // What the running jobs hold, by slot.
  running(): Allocation[] {
    return [...this.held.values()].sort((a, b) => a.slot - b.slot);
  }

  // Why `request` could never run here, even with no other job running ("needs 8 cpus; this
  // worker offers 4 cpus"), or undefined when it could.
  neverFits(request: Request): string | undefined {
    return shortfall(request, freeOf(this.capacity), offers('this worker'));
  }

  private freeGpus(): string[] {
    const used = new Set<string>();
    for (const allocation of this.held.values()) for (const id of allocation.gpus) used.add(id);
    return this.capacity.gpus.filter((id) => !used.has(id));
  }
}
