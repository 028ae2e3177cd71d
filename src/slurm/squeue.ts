// What Slurm says of the recorded jobs, from one squeue call: each job's state (PENDING,
// RUNNING, COMPLETING, and for a few minutes after the end CANCELLED, TIMEOUT …) and its nodes.
// A job squeue no longer lists has ended long enough ago for Slurm to forget it.
import type {SlurmJobRecord} from './record.js';
import {runSlurmClient} from './run-client.js';

export interface SlurmJobState {
  // Slurm's state word, or null when squeue does not list the job (or could not be asked).
  state: string | null;
  nodes: string | null;
}

export interface SlurmQuery {
  jobs: Map<string, SlurmJobState>;
  // Why squeue could not be asked (not on PATH, no controller …), or null.
  problem: string | null;
}

// The states in which a job's workers may still run or start.
const ACTIVE = new Set([
  'PENDING',
  'CONFIGURING',
  'RUNNING',
  'COMPLETING',
  'SUSPENDED',
  'REQUEUED',
  'RESIZING',
  'SIGNALING',
  'STAGE_OUT',
  'STOPPED',
]);

export function isActive(state: string | null): boolean {
  return state !== null && ACTIVE.has(state);
}

export function querySlurmJobs(records: SlurmJobRecord[], env: NodeJS.ProcessEnv): SlurmQuery {
  const jobs = new Map<string, SlurmJobState>();
  if (records.length === 0) return {jobs, problem: null};
  const ids = records.map((r) => r.job);
  // With one id, squeue fails on a job it has forgotten; with two or more it lists the known
  // ones. Asking for an id twice gives the same answer either way.
  const list = ids.length === 1 ? [ids[0] ?? '', ids[0] ?? ''] : ids;
  const clusters = [...new Set(records.map((r) => r.cluster).filter((c) => c !== null))];
  const args = ['--noheader', '--states=all', '--format=%i|%T|%N', `--jobs=${list.join(',')}`];
  if (clusters.length > 0) args.push(`--clusters=${clusters.join(',')}`);
  const result = runSlurmClient('squeue', args, {env});
  if (result.problem !== null || result.status !== 0) {
    const said = result.stderr.trim().split('\n').at(-1) ?? '';
    return {
      jobs,
      problem: result.problem ?? `squeue failed (exit code ${String(result.status)}${said === '' ? '' : `: ${said}`})`,
    };
  }
  for (const line of result.stdout.split('\n')) {
    const [id, state, nodes] = line.trim().split('|');
    if (id === undefined || state === undefined || !ids.includes(id)) continue;
    jobs.set(id, {state, nodes: nodes === undefined || nodes === '' ? null : nodes});
  }
  return {jobs, problem: null};
}
