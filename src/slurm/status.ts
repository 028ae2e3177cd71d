// The recorded Slurm jobs as `fjd status` shows them: each with what squeue says of it now.
// squeue runs only when the home has records, so a home without Slurm costs nothing.
import type {HomePaths} from '../home/layout.js';
import {listSlurmRecords, slurmSlots} from './record.js';
import {isActive, querySlurmJobs} from './squeue.js';

export interface SlurmJobStatus {
  job: string;
  // The slots it was submitted for, in all (one worker runs on each of its nodes).
  slots: number;
  // Slurm's state (PENDING, RUNNING, CANCELLED …); null when squeue does not list it.
  state: string | null;
  // The nodes it runs on, as Slurm writes them (node[1-4]); null before it runs.
  nodes: string | null;
  // Whether it has ended; null when squeue could not be asked.
  ended: boolean | null;
  // Why squeue could not be asked, or null.
  problem: string | null;
}

export function slurmJobStatuses(paths: HomePaths, env: NodeJS.ProcessEnv): SlurmJobStatus[] {
  const records = listSlurmRecords(paths);
  const {jobs, problem} = querySlurmJobs(records, env);
  return records.map((record) => {
    const seen = jobs.get(record.job);
    const state = seen?.state ?? null;
    return {
      job: record.job,
      slots: slurmSlots(record),
      state,
      nodes: seen?.nodes ?? null,
      ended: problem !== null ? null : !isActive(state),
      problem,
    };
  });
}
