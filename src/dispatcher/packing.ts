// Packing: which worker a job goes to, by what it asks ([control] cpus, memory, gpus) and
// what each worker has free: its capacity (info.json) less the requests of the jobs handed to
// it and not yet seen to end. Pure over the pool's worker states (pool.ts keeps them and their
// free capacity; hand-out.ts asks). A job goes to a worker it fits now, preferring one that
// sees its pod at once, then the best fit (least left over, GPUs first: a job that asks for
// none goes to a worker without GPUs when it can); else, in advance, into the pod of a worker
// whose jobs are short (at most one job in advance per worker, so that it never waits for the
// dispatcher between them); else it waits, and the first job of a pairing that waits reserves
// a worker (reservation.ts).
import {DEFAULT_REQUEST, fits, freeOf, type Capacity, type Free, type Request} from '../job/resources.js';

// What the dispatcher takes a worker of an earlier fjd to offer (its info.json says nothing):
// one job at a time, of one cpu and no GPU.
export const EARLIER_CAPACITY: Readonly<Capacity> = Object.freeze({slots: 1, cpus: 1, memoryBytes: null, gpus: []});

// A worker whose last job took less than this gets one more in advance.
export const SHORT_JOB_MS = 1000;

// What packing reads of a worker (pool.ts: WorkerState).
export interface Packable {
  ready: boolean;
  capacity: Capacity;
  free: Free;
  seesAtOnce: boolean;
  lastDurationMs: number | undefined;
}

// Takes `request` from `free` in place (sign -1: gives it back), as a job is handed out or
// seen to end: no new object per job.
export function takeIn(free: Free, request: Request, sign = 1): void {
  free.slots -= sign;
  free.cpus -= sign * request.cpus;
  free.gpus -= sign * request.gpus;
  if (free.memoryBytes !== null) free.memoryBytes -= sign * request.memoryBytes;
}

// Whether some job could go to the worker now: a free slot and a free cpu (every job asks for
// one at least), or room for one in advance. Cheap, so that a pairing with nowhere to put a
// job stops before it takes one from the line.
export function hasRoom(worker: Packable): boolean {
  if (!worker.ready) return false;
  return (worker.free.slots >= 1 && worker.free.cpus >= 1) || takesInAdvance(worker);
}

// Whether `request` fits what the worker has free now.
export function fitsNow(request: Request, worker: Packable): boolean {
  const {free} = worker;
  // The common refusals first, without the words of a shortfall.
  if (free.slots < 1 || free.cpus < request.cpus) return false;
  // The default asks for nothing more (as fits() says, without making its words per job).
  if (request === DEFAULT_REQUEST) return free.gpus >= 0 && (free.memoryBytes === null || free.memoryBytes >= 0);
  return fits(request, free);
}

// Whether `request` fits the worker's whole capacity, when it has nothing else to run.
export function fitsWhole(request: Request, capacity: Capacity): boolean {
  if (request.cpus > capacity.cpus) return false;
  return request === DEFAULT_REQUEST || fits(request, freeOf(capacity));
}

// The worker to hand a job of `request` to now: one it fits, then one that takes it in
// advance; undefined when none may (`barred` is reserved for another job).
export function placeNow<W extends Packable>(
  request: Request,
  workers: readonly W[],
  barred: W | undefined,
): W | undefined {
  let best: W | undefined;
  let ahead: W | undefined;
  for (let i = 0; i < workers.length; i++) {
    const worker = workers[i];
    if (worker === undefined || !worker.ready || worker === barred) continue;
    if (fitsNow(request, worker)) {
      if (best === undefined || better(request, worker, best)) best = worker;
    } else if (
      (ahead === undefined || (worker.seesAtOnce && !ahead.seesAtOnce)) &&
      takesInAdvance(worker) &&
      fitsWhole(request, worker.capacity)
    )
      ahead = worker;
  }
  return best ?? ahead;
}

// The worker a job of `request` that fits nowhere now should wait for: of the ready workers
// whose whole capacity it fits, the one with the most free (the nearest to having room).
export function reservable<W extends Packable>(request: Request, workers: Iterable<W>): W | undefined {
  let most: W | undefined;
  for (const worker of workers) {
    if (!worker.ready || !fitsWhole(request, worker.capacity)) continue;
    if (most === undefined || moreFree(worker.free, most.free)) most = worker;
  }
  return most;
}

// A worker whose jobs are short takes one job in advance (none while it holds one already:
// its requests are more than it has).
function takesInAdvance(worker: Packable): boolean {
  const {free} = worker;
  return (
    worker.lastDurationMs !== undefined &&
    worker.lastDurationMs < SHORT_JOB_MS &&
    free.slots >= 0 &&
    free.cpus >= 0 &&
    free.gpus >= 0 &&
    (free.memoryBytes === null || free.memoryBytes >= 0)
  );
}

// Whether worker a is a better place than b for a job that fits both now: one that sees it at
// once, then the one with least left over (GPUs, then cpus, then memory).
function better(request: Request, a: Packable, b: Packable): boolean {
  if (a.seesAtOnce !== b.seesAtOnce) return a.seesAtOnce;
  if (a.free.gpus !== b.free.gpus) return a.free.gpus < b.free.gpus;
  if (a.free.cpus !== b.free.cpus) return a.free.cpus < b.free.cpus;
  return leftMemory(a.free, request) < leftMemory(b.free, request);
}

function moreFree(a: Free, b: Free): boolean {
  if (a.cpus !== b.cpus) return a.cpus > b.cpus;
  if (a.gpus !== b.gpus) return a.gpus > b.gpus;
  return (a.memoryBytes ?? Infinity) > (b.memoryBytes ?? Infinity);
}

// Memory not counted (null) is left over without end.
function leftMemory(free: Free, request: Request): number {
  return free.memoryBytes === null ? Infinity : free.memoryBytes - request.memoryBytes;
}
