// What a job asks of the worker that runs it ([control] cpus, memory, gpus), what a worker
// process offers (its slots, cpus, memory and GPUs), and the arithmetic between the two: what
// is free, whether a request fits, and why it does not. Pure: the job file's parser reads the
// request, the worker detects its capacity, the dispatcher packs, and `fjd status` explains.
import {FjdError} from '../errors.js';
import {inSection, type NameValue} from './values.js';

// A job's request. memoryBytes 0: it asks for no memory in particular.
export interface Request {
  cpus: number;
  memoryBytes: number;
  gpus: number;
}

export const DEFAULT_REQUEST: Readonly<Request> = Object.freeze({cpus: 1, memoryBytes: 0, gpus: 0});

// What a worker process offers: at most `slots` jobs at once, sharing `cpus`, `memoryBytes`
// (null: not counted) and the GPUs named by their ids (as CUDA_VISIBLE_DEVICES names them).
export interface Capacity {
  slots: number;
  cpus: number;
  memoryBytes: number | null;
  gpus: string[];
}

// What is free of a capacity: slots, cpus, memory (null: not counted) and how many GPUs.
export interface Free {
  slots: number;
  cpus: number;
  memoryBytes: number | null;
  gpus: number;
}

const UNITS: Record<string, number> = {'': 1024 ** 2, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4};

// Parses a memory size as Slurm's --mem reads it: a number with K, M, G or T (powers of 1024,
// optionally followed by B or iB); a bare number is in megabytes. Throws on anything else.
export function parseMemorySize(text: string, what = 'memory'): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(text);
  const unit = match === null ? undefined : UNITS[(match[2] ?? '').toLowerCase()];
  if (match === null || unit === undefined) {
    throw new FjdError('USAGE', `${what} must be a size such as 8G, 512M or 2T, not "${text}"`, {
      hint: 'Sizes are in powers of 1024: K, M, G, T (a bare number means megabytes, as in Slurm).',
    });
  }
  return Math.round(Number(match[1]) * unit);
}

// Parses a list of GPU ids as CUDA_VISIBLE_DEVICES names them ("0,1,3", or UUIDs such as
// "GPU-8f2…"); "" or "none" is no GPU. Throws on an id named twice.
export function parseGpuIds(text: string, what = 'gpus'): string[] {
  if (text.trim().toLowerCase() === 'none') return [];
  const ids = text
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id !== '');
  const twice = ids.find((id, at) => ids.indexOf(id) !== at);
  if (twice !== undefined) {
    throw new FjdError('USAGE', `${what} names GPU ${twice} twice`, {
      hint: 'Name each GPU once, such as 0,1,3 (or none).',
    });
  }
  return ids;
}

// A size for people: "8G", "512M", "1.5G".
export function formatBytes(bytes: number): string {
  for (const [unit, size] of [
    ['T', 1024 ** 4],
    ['G', 1024 ** 3],
    ['M', 1024 ** 2],
    ['K', 1024],
  ] as const) {
    if (bytes >= size) {
      const value = bytes / size;
      return `${Number.isInteger(value) ? value : value.toFixed(1)}${unit}`;
    }
  }
  return `${bytes}B`;
}

// The request of a control section's `cpus`, `memory` and `gpus` values (absent: the
// defaults), each value named in errors as `named` says (as the job file has it, by default
// [control]'s). Throws a job's reason for a value that can never be valid. A job that asks
// for nothing more than the default gets DEFAULT_REQUEST itself: a backlog of such jobs holds
// one request, not one each.
export function parseRequest(
  values: ReadonlyMap<string, string>,
  named: NameValue = inSection('control'),
): Readonly<Request> {
  const given = (key: string): string | undefined => {
    const text = values.get(key)?.trim();
    return text === undefined || text === '' ? undefined : text;
  };
  const count = (key: string, least: number): number | undefined => {
    const text = given(key);
    if (text === undefined) return undefined;
    const value = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < least) {
      throw new FjdError('JOB_BAD_VALUE', `${named(key, text)} is not a whole number of at least ${least}`, {
        hint: `Write \`${key} = ${Math.max(least, 1)}\`, or leave ${key} out (${key === 'cpus' ? '1' : 'none'}).`,
      });
    }
    return value;
  };
  const memoryText = given('memory');
  let memoryBytes = 0;
  if (memoryText !== undefined) {
    try {
      memoryBytes = parseMemorySize(memoryText);
    } catch (error) {
      if (!(error instanceof FjdError)) throw error;
      throw new FjdError('JOB_BAD_VALUE', `${named('memory', memoryText)} is not a size such as 8G, 512M or 2T`, {
        hint: error.hint,
      });
    }
  }
  const request = {cpus: count('cpus', 1) ?? 1, memoryBytes, gpus: count('gpus', 0) ?? 0};
  return isDefaultRequest(request) ? DEFAULT_REQUEST : request;
}

// Whether a request is the default one (1 cpu, no memory, no GPU).
export function isDefaultRequest(request: Request): boolean {
  return request.cpus === 1 && request.memoryBytes === 0 && request.gpus === 0;
}

// A request for people: "4 cpus, 8G of memory, 1 GPU".
export function formatRequest(request: Request): string {
  const parts = [`${request.cpus} cpu${request.cpus === 1 ? '' : 's'}`];
  if (request.memoryBytes > 0) parts.push(`${formatBytes(request.memoryBytes)} of memory`);
  if (request.gpus > 0) parts.push(`${request.gpus} GPU${request.gpus === 1 ? '' : 's'}`);
  return parts.join(', ');
}

// All of a capacity, free.
export function freeOf(capacity: Capacity): Free {
  return {slots: capacity.slots, cpus: capacity.cpus, memoryBytes: capacity.memoryBytes, gpus: capacity.gpus.length};
}

// What is free once `request` is taken from `free` (it may go below zero: a job put in a pod
// in advance).
export function take(free: Free, request: Request): Free {
  return {
    slots: free.slots - 1,
    cpus: free.cpus - request.cpus,
    memoryBytes: free.memoryBytes === null ? null : free.memoryBytes - request.memoryBytes,
    gpus: free.gpus - request.gpus,
  };
}

// What is free once a job with `request` has ended.
export function give(free: Free, request: Request): Free {
  return {
    slots: free.slots + 1,
    cpus: free.cpus + request.cpus,
    memoryBytes: free.memoryBytes === null ? null : free.memoryBytes + request.memoryBytes,
    gpus: free.gpus + request.gpus,
  };
}

// Why `request` does not fit in `free`, naming the first resource short ("needs 4 cpus; 2 are
// free"), or undefined when it fits. `free` may be a whole capacity (freeOf), with `of` saying
// whose ("the largest worker offers 4").
export function shortfall(
  request: Request,
  free: Free,
  says = (_what: string, have: string) => `${have} free`,
): string | undefined {
  if (free.slots < 1) return `needs a free slot; ${says('slots', '0')}`;
  if (request.cpus > free.cpus) {
    return `needs ${request.cpus} cpu${request.cpus === 1 ? '' : 's'}; ${says('cpus', String(Math.max(0, free.cpus)))}`;
  }
  if (request.gpus > free.gpus) {
    return `needs ${request.gpus} GPU${request.gpus === 1 ? '' : 's'}; ${says('gpus', String(Math.max(0, free.gpus)))}`;
  }
  if (free.memoryBytes !== null && request.memoryBytes > free.memoryBytes) {
    return `needs ${formatBytes(request.memoryBytes)} of memory; ${says('memory', formatBytes(Math.max(0, free.memoryBytes)))}`;
  }
  return undefined;
}

export function fits(request: Request, free: Free): boolean {
  return shortfall(request, free) === undefined;
}

const NOUNS: Record<string, string> = {slots: 'slot', cpus: 'cpu', gpus: 'GPU'};

// How shortfall says what a whole capacity has of a resource: "<whose> offers 4 cpus".
export function offers(whose: string): (what: string, have: string) => string {
  return (what, have) => {
    const noun = NOUNS[what];
    return `${whose} offers ${noun === undefined ? have : `${have} ${noun}${have === '1' ? '' : 's'}`}`;
  };
}

// Why no worker of `capacities` could ever run `request`, even idle ("needs 8 cpus; the
// largest worker offers 4"), or undefined when one could (or there is no worker to judge by).
export function unfittable(request: Request, capacities: readonly Capacity[]): string | undefined {
  if (capacities.length === 0) return undefined;
  if (capacities.some((capacity) => fits(request, freeOf(capacity)))) return undefined;
  const largest = (pick: (capacity: Capacity) => number): number => Math.max(...capacities.map(pick));
  const says = offers(capacities.length === 1 ? 'the only worker' : 'the largest worker');
  const best: Free = {
    slots: 1,
    cpus: largest((capacity) => capacity.cpus),
    memoryBytes: capacities.some((capacity) => capacity.memoryBytes === null)
      ? null
      : largest((capacity) => capacity.memoryBytes ?? 0),
    gpus: largest((capacity) => capacity.gpus.length),
  };
  // No one worker has all it needs although each resource is somewhere: say the first one short
  // on the worker with the most cpus.
  return shortfall(request, best, says) ?? `needs ${formatRequest(request)} on one worker; no worker offers all of it`;
}
