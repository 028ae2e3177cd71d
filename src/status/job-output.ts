// Where a job's captured output is, attempt by attempt: .fjd/output/ID.out and ID.err for its
// first attempt, ID.N.out and ID.N.err for its N-th. Used by `fjd logs` and `fjd status JOB`.
import fs from 'node:fs';
import type {HomePaths} from '../home/layout.js';
import type {FoundJob} from '../home/find-job.js';
import {stderrPath, stdoutPath} from '../home/paths.js';

export interface AttemptOutput {
  attempt: number;
  // Absolute paths.
  stdout: string;
  stderr: string;
}

export function attemptOutput(paths: HomePaths, id: string, attempt: number): AttemptOutput {
  return {attempt, stdout: stdoutPath(paths, id, attempt), stderr: stderrPath(paths, id, attempt)};
}

// The number of the attempt that runs now, else of the last one recorded; null before the first.
export function lastAttempt(job: FoundJob): number | null {
  if (job.current !== undefined) return job.current.attempt;
  return job.record?.attempts.at(-1)?.attempt ?? null;
}

// Why a job that has ended never ran, such as `it failed before a worker took it (cancelled)`;
// undefined when it ran, or has not ended. A job ends unrun when a dependency fails or it is
// cancelled while open.
export function neverRan(job: FoundJob): string | undefined {
  const record = job.record;
  if ((job.state !== 'failed' && job.state !== 'finished') || job.current !== undefined) return undefined;
  if (record === undefined || record.attempts.length > 0) return undefined;
  return `it ${job.state} before a worker took it${record.reason === null ? '' : ` (${record.reason})`}`;
}

// Whether the job is over: its record says it ended (or was put back) and no worker runs it.
export function hasEnded(job: FoundJob): boolean {
  if (job.state === 'finished' || job.state === 'failed') return true;
  if (job.worker !== null) return false;
  const state = job.record?.state;
  return state === 'finished' || state === 'failed' || state === 'requeued';
}

// The last `count` lines of a text file ('' and no lines when it is empty or missing). Only
// its end is read, so a huge log costs no more than a small one.
export function tailLines(file: string, count: number): string[] {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return [];
  }
  try {
    const size = fs.fstatSync(fd).size;
    const length = Math.min(size, 64 * 1024);
    const buffer = Buffer.alloc(length);
    fs.readSync(fd, buffer, 0, length, size - length);
    const lines = buffer.toString('utf8').split('\n');
    if (lines.at(-1) === '') lines.pop();
    return lines.slice(-count);
  } finally {
    fs.closeSync(fd);
  }
}

// The size of a file, 0 when it is missing.
export function sizeOf(file: string): number {
  return fs.statSync(file, {throwIfNoEntry: false})?.size ?? 0;
}
