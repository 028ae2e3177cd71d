// A worker's slots: what of its capacity the jobs running now hold. A job gets the lowest free
// slot (FJD_SLOT, 1-based) and the first free GPUs, in the order the worker was given them;
// what it held is free again when it ends. Pure bookkeeping: the worker asks and acts.
import {fits, freeOf, give, shortfall, take, type Capacity, type Free, type Request} from '../job/resources.js';

// What one running job holds.
export interface Holding {
  slot: number;
  request: Request;
  gpus: string[];
}

export class Slots {
  private free: Free;
  private readonly held = new Map<string, Holding>();
  private readonly freeGpus: string[];

  constructor(readonly capacity: Capacity) {
    this.free = freeOf(capacity);
    this.freeGpus = [...capacity.gpus];
  }

  get running(): number {
    return this.held.size;
  }

  get full(): boolean {
    return this.free.slots < 1;
  }

  // Why a job with `request` could never run here, even with every slot free; undefined when
  // it could.
  never(request: Request): string | undefined {
    const reason = shortfall(request, freeOf(this.capacity), (_what, have) => `this worker offers ${have}`);
    return reason;
  }

  fitsNow(request: Request): boolean {
    return fits(request, this.free);
  }

  // Takes what job `id` asks for, which must fit now.
  take(id: string, request: Request): Holding {
    const used = new Set([...this.held.values()].map((holding) => holding.slot));
    let slot = 1;
    while (used.has(slot)) slot++;
    const holding: Holding = {slot, request, gpus: this.freeGpus.splice(0, request.gpus)};
    this.free = take(this.free, request);
    this.held.set(id, holding);
    return holding;
  }

  // What job `id` holds (it must have taken it).
  holding(id: string): Holding {
    const holding = this.held.get(id);
    if (holding === undefined) throw new Error(`job ${id} holds no slot`);
    return holding;
  }

  // Job `id` has ended: what it held is free again.
  release(id: string): void {
    const holding = this.held.get(id);
    if (holding === undefined) return;
    this.held.delete(id);
    this.free = give(this.free, holding.request);
    // Back in the order the worker was given them, so that the lowest ids go first.
    this.freeGpus.push(...holding.gpus);
    this.freeGpus.sort((a, b) => this.capacity.gpus.indexOf(a) - this.capacity.gpus.indexOf(b));
  }
}
