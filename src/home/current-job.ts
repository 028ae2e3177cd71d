// Which jobs a worker process runs: .fjd/workers/W/current, rewritten in place before every
// attempt starts and after every one ends (so it costs no new file per job). It is what tells,
// after the worker died, that a job had started and must count as an attempt, and what
// `fjd status` reports as running, in which slot. A job in a pod that `current` does not name
// has not started.
import fs from 'node:fs';
import type {HomePaths} from './layout.js';
import {readJson} from './atomic.js';
import {currentJobPath} from './paths.js';

export interface CurrentJob {
  id: string;
  attempt: number;
  startedAt: string;
  // The slot it runs in (1 to the worker's slots; FJD_SLOT), the cpus it holds and the ids
  // of its GPUs. Absent in notes of earlier versions (one slot).
  slot?: number;
  cpus?: number;
  memoryBytes?: number;
  gpus?: string[];
}

interface RunningNote {
  jobs: CurrentJob[];
}

export function writeRunningJobs(paths: HomePaths, workerId: string, jobs: readonly CurrentJob[]): void {
  const file = currentJobPath(paths, workerId);
  const note: RunningNote = {jobs: [...jobs]};
  const data = Buffer.from(`${JSON.stringify(note)}\n`);
  let fd: number;
  try {
    fd = fs.openSync(file, 'r+');
  } catch {
    fd = fs.openSync(file, 'w', 0o600);
  }
  try {
    fs.writeSync(fd, data, 0, data.length, 0);
    fs.ftruncateSync(fd, data.length);
  } finally {
    fs.closeSync(fd);
  }
}

// The jobs a worker noted as running (a note of one job, from an earlier version, too).
export function readRunningJobs(paths: HomePaths, workerId: string): CurrentJob[] {
  const note = readJson<Partial<RunningNote> & Partial<CurrentJob>>(currentJobPath(paths, workerId));
  if (note === undefined) return [];
  if (Array.isArray(note.jobs)) return note.jobs.filter((job) => typeof job?.id === 'string');
  if (typeof note.id === 'string' && typeof note.attempt === 'number' && typeof note.startedAt === 'string') {
    return [{id: note.id, attempt: note.attempt, startedAt: note.startedAt}];
  }
  return [];
}

// The note of job `id` among those a worker runs, if it is there.
export function runningJob(paths: HomePaths, workerId: string, id: string): CurrentJob | undefined {
  return readRunningJobs(paths, workerId).find((job) => job.id === id);
}
