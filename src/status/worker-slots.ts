// What one worker process holds, slot by slot, for `fjd status`: what it offers (its info's
// capacity; one slot and one cpu for a worker of an earlier fjd), which job runs in which slot
// and what that job holds, which jobs wait in its pod, and what is free. Pure: status.ts reads
// the files (info.json, `current`, the pod, the records) and passes their contents in.
import type {CurrentJob} from '../home/current-job.js';
import type {WorkerInfo} from '../home/registry.js';
import {DEFAULT_REQUEST, freeOf, take, type Capacity, type Free, type Request} from '../job/resources.js';

// What the dispatcher takes a worker of an earlier fjd (no capacity in its info.json) to offer.
export const EARLIER_FJD_CAPACITY: Readonly<Capacity> = Object.freeze({slots: 1, cpus: 1, memoryBytes: null, gpus: []});

// A job that runs in one slot of a worker process.
export interface SlotJob {
  // 1 to the worker's slots (FJD_SLOT).
  slot: number;
  job: string;
  attempt: number;
  startedAt: string;
  // How long it has run so far; null when that cannot be told.
  runningForMs: number | null;
  // What it holds of the worker: from the worker's note of it, else from its record.
  request: Request;
  // The ids of its GPUs, when the worker noted them.
  gpuIds: string[];
}

export interface WorkerSlots {
  // null while the worker starts (no info.json yet).
  capacity: Capacity | null;
  // Whether it is a worker of an earlier fjd, whose info.json says nothing of its capacity.
  earlierFjd: boolean;
  // Its capacity less what its running jobs hold; null with the capacity.
  free: Free | null;
  // Its running jobs, by slot.
  running: SlotJob[];
  // The jobs in its pod that have not started, by id.
  assigned: string[];
}

// The capacity of a registered worker, and whether it had to be assumed.
export function capacityOf(info: WorkerInfo | undefined): {capacity: Capacity | null; earlierFjd: boolean} {
  if (info === undefined) return {capacity: null, earlierFjd: false};
  if (info.capacity === undefined) return {capacity: {...EARLIER_FJD_CAPACITY, gpus: []}, earlierFjd: true};
  return {capacity: info.capacity, earlierFjd: false};
}

// The request a running job holds: each part as the worker noted it, else as its record says
// (null or absent there: the default). The record is looked at only when the note lacks a part.
export function heldRequest(note: CurrentJob, recorded: () => Request | null | undefined): Request {
  const noted = note.cpus !== undefined && note.memoryBytes !== undefined && note.gpus !== undefined;
  const request = (noted ? undefined : recorded()) ?? DEFAULT_REQUEST;
  return {
    cpus: note.cpus ?? request.cpus,
    memoryBytes: note.memoryBytes ?? request.memoryBytes,
    gpus: note.gpus?.length ?? request.gpus,
  };
}

export interface SlotsInput {
  info: WorkerInfo | undefined;
  // The job ids in its pod.
  held: readonly string[];
  // Its note of the jobs it runs (`current`).
  notes: readonly CurrentJob[];
  // The request in a job's record (asked only of running jobs the note says too little of).
  recorded: (id: string) => Request | null | undefined;
  // How long a noted job has run.
  runningFor: (note: CurrentJob) => number | null;
}

// The worker's slots. A noted job that has left the pod has ended (the note is rewritten just
// after); a note without a slot (a worker of an earlier fjd) takes the lowest slot no note names.
export function workerSlots(input: SlotsInput): WorkerSlots {
  const {capacity, earlierFjd} = capacityOf(input.info);
  const notes = input.notes.filter((note) => input.held.includes(note.id));
  const taken = new Set(notes.map((note) => note.slot).filter((slot) => slot !== undefined));
  let next = 1;
  const slotOf = (note: CurrentJob): number => {
    if (note.slot !== undefined) return note.slot;
    while (taken.has(next)) next++;
    taken.add(next);
    return next;
  };
  const running = notes
    .map((note) => ({
      slot: slotOf(note),
      job: note.id,
      attempt: note.attempt,
      startedAt: note.startedAt,
      runningForMs: input.runningFor(note),
      request: heldRequest(note, () => input.recorded(note.id)),
      gpuIds: note.gpus ?? [],
    }))
    .sort((a, b) => a.slot - b.slot);
  const started = new Set(notes.map((note) => note.id));
  const assigned = input.held.filter((id) => !started.has(id));
  const free = capacity === null ? null : running.reduce((left, job) => take(left, job.request), freeOf(capacity));
  return {capacity, earlierFjd, free, running, assigned};
}
