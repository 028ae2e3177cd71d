// The Slurm jobs a home's recruiter submitted: one record per job in .fjd/slurm/JOBID.json,
// written whole by rename. `recruiter fire` cancels what is recorded and marks the record;
// `fjd status` shows each with its state from squeue. A record names no host path that
// another host could not read: the home, the working directory and the command are the same
// on every node of the cluster.
import path from 'node:path';
import type {HomePaths} from '../home/layout.js';
import {listDir, readJson, unlinkIfPresent, writeFileAtomic} from '../home/atomic.js';
import {slurmRecordPath} from '../home/paths.js';

export interface SlurmJobRecord {
  fjd: 1;
  // Slurm's job id, and its cluster when sbatch named one (federations, --clusters).
  job: string;
  cluster: string | null;
  // The slots asked for in all (sbatch --ntasks): the job runs one worker on each node it
  // gets, with the CPUs it got there as slots.
  slots: number;
  // Instead of slots, in the records of an earlier fjd: its workers (srun tasks), one slot each.
  workers?: number;
  submittedAt: string;
  // The host the job was submitted from, and the working directory of its workers.
  host: string;
  cwd: string;
  // The sbatch command line, and the batch script it was given on stdin.
  sbatch: string[];
  script: string;
  // When `recruiter fire` cancelled it; null while it is in use.
  cancelledAt: string | null;
}

export function writeSlurmRecord(paths: HomePaths, record: SlurmJobRecord): void {
  writeFileAtomic(paths.tmp, slurmRecordPath(paths, record.job), `${JSON.stringify(record, null, 2)}\n`);
}

// Every recorded job, oldest first (Slurm's ids grow).
export function listSlurmRecords(paths: HomePaths): SlurmJobRecord[] {
  const records: SlurmJobRecord[] = [];
  for (const name of listDir(paths.slurm)) {
    if (name.startsWith('.') || !name.endsWith('.json')) continue;
    const record = readJson<SlurmJobRecord>(path.join(paths.slurm, name));
    if (record !== undefined && typeof record.job === 'string') records.push(record);
  }
  return records.sort((a, b) => Number(a.job) - Number(b.job) || a.job.localeCompare(b.job));
}

// The slots a recorded job was submitted for, whichever fjd wrote the record.
export function slurmSlots(record: SlurmJobRecord): number {
  return record.slots ?? record.workers ?? 0;
}

export function removeSlurmRecord(paths: HomePaths, job: string): void {
  unlinkIfPresent(slurmRecordPath(paths, job));
}
