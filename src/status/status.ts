// What a home holds right now, read from the directories alone: every job's state is where
// its file is, and every worker process's state is whether it has announced itself, what its
// pod holds and what runs in its slots (workers.ts). This is the data behind `fjd status` and its --json form.
// done/ and failed/ may hold many thousands: they are listed (names only), never stat'ed entry
// by entry (the rate stats a bounded sample, rate.ts), and only --json reads the records of
// the failed jobs, for their reasons.
import fs from 'node:fs';
import path from 'node:path';
import {homePaths, type HomePaths} from '../home/layout.js';
import {isIgnoredName} from '../home/names.js';
import {readRecord} from '../home/record.js';
import type {ReportedJobState} from '../home/find-job.js';
import {endRate, etaSeconds, type EndRate} from './rate.js';
import {slurmJobStatuses, type SlurmJobStatus} from '../slurm/status.js';
import {groupLimits, type GroupLimit} from './why-waiting.js';
import {dispatcherHolder, type DispatcherHolder} from '../home/lock-file.js';
import {readPause, type PauseNote} from '../home/pause.js';
import {collectWorkers, slotCounts, type SlotCounts, type WorkerStatus} from './workers.js';

export type {WorkerStatus} from './workers.js';

export interface JobStatus {
  name: string;
  id: string | null;
  state: ReportedJobState;
  // Where the file is, relative to the home.
  file: string;
  worker: string | null;
  reason: string | null;
}

// A process of the home that finds changes by rescanning alone, its watches having failed
// (at the inotify instance limit, typically).
export interface PollingProcess {
  process: 'dispatcher' | 'worker';
  // The worker's id; null for the dispatcher.
  worker: string | null;
  host: string;
  pid: number;
  reason: string;
}

export interface StatusReport {
  fjd: 1;
  home: string;
  counts: Record<ReportedJobState, number>;
  // The queue is held by `fjd pause` (when, by whom), or null.
  paused: PauseNote | null;
  jobs: JobStatus[];
  // The worker processes, each with its slots.
  workers: WorkerStatus[];
  // The job slots of the workers that are not lost (a worker of an earlier fjd has one), and
  // how many of them run a job.
  slots: SlotCounts;
  // Jobs ended per second over the last 5 minutes (from the ctime of done/ and failed/ entries).
  rate: EndRate;
  // Seconds until every open, assigned and running job has ended at that rate; null without one.
  etaSeconds: number | null;
  // The Slurm jobs of `recruiter hire --slurm` recorded in the home, with their state from squeue.
  slurmJobs: SlurmJobStatus[];
  // The group limits in force (the limits file, under the running dispatcher's --limit flags),
  // each with how many of its jobs are out; why one open job waits: `fjd status JOB`.
  limits: GroupLimit[];
  // The dispatcher and the workers that poll instead of watching; empty while all watch.
  polling: PollingProcess[];
}

function jobNames(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir, {withFileTypes: true})
      .filter((entry) => !entry.isDirectory() && !isIgnoredName(entry.name))
      .map((entry) => entry.name)
      .sort();
  } catch {
    return [];
  }
}

// The ended jobs one by one: the finished from the listing, the failed with their records'
// reason and worker.
function endedJobs(paths: HomePaths, finished: string[], failed: string[]): JobStatus[] {
  const rel = (file: string): string => path.relative(paths.root, file);
  const jobs: JobStatus[] = finished.map((name) => ({
    name,
    id: name,
    state: 'finished',
    file: rel(path.join(paths.done, name)),
    worker: null,
    reason: null,
  }));
  for (const name of failed) {
    const record = readRecord(paths, name);
    jobs.push({
      name: record?.name ?? name,
      id: name,
      state: 'failed',
      file: rel(path.join(paths.failed, name)),
      worker: record?.worker ?? null,
      reason: record?.reason ?? null,
    });
  }
  return jobs;
}

// The running dispatcher, from its lock, if it polls.
function dispatcherPolling(holder: DispatcherHolder | undefined): PollingProcess | undefined {
  if (holder === undefined || holder.polling === null) return undefined;
  return {process: 'dispatcher', worker: null, host: holder.host, pid: holder.pid, reason: holder.polling};
}

// What to collect besides the counts.
export interface CollectOptions {
  // Whether `jobs` lists the ended jobs too, one by one, a failed one with the reason and
  // worker of its record (an open per failed job); false: done/ and failed/ are counted from
  // their listings alone, as `fjd status` shows them, and `jobs` holds the jobs not ended.
  listEnded?: boolean;
}

export function collectStatus(
  home: string,
  now = Date.now(),
  env: NodeJS.ProcessEnv = process.env,
  {listEnded = true}: CollectOptions = {},
): StatusReport {
  const paths: HomePaths = homePaths(home);
  const jobs: JobStatus[] = [];
  const polling: PollingProcess[] = [];
  const holder = dispatcherHolder(paths);
  const dispatcher = dispatcherPolling(holder);
  if (dispatcher !== undefined) polling.push(dispatcher);
  const rel = (file: string): string => path.relative(paths.root, file);
  for (const name of jobNames(paths.jobqueue)) {
    jobs.push({name, id: null, state: 'open', file: rel(path.join(paths.jobqueue, name)), worker: null, reason: null});
  }
  const found = collectWorkers(paths, now);
  for (const job of found.podJobs) {
    jobs.push({name: job.name, id: job.id, state: job.state, file: rel(job.file), worker: job.worker, reason: null});
  }
  for (const p of found.polling) polling.push({process: 'worker', ...p});
  const workers = found.workers;
  const counts: Record<ReportedJobState, number> = {open: 0, assigned: 0, running: 0, finished: 0, failed: 0};
  for (const job of jobs) counts[job.state]++;
  // Ended jobs are known by name from the listings (no stat, no open per entry).
  const finished = jobNames(paths.done);
  const failed = jobNames(paths.failed);
  counts.finished = finished.length;
  counts.failed = failed.length;
  if (listEnded) jobs.push(...endedJobs(paths, finished, failed));
  const ended = [
    ...finished.map((name) => path.join(paths.done, name)),
    ...failed.map((name) => path.join(paths.failed, name)),
  ];
  const rate = endRate(ended, now);
  const paused = readPause(paths) ?? null;
  // Paused, the open jobs wait for "fjd resume": the rate tells no time left for them.
  const eta =
    paused !== null && counts.open > 0 ? null : etaSeconds(rate, counts.open + counts.assigned + counts.running);
  return {
    fjd: 1,
    home: paths.root,
    counts,
    paused,
    jobs,
    workers,
    slots: slotCounts(workers),
    rate,
    etaSeconds: eta,
    slurmJobs: slurmJobStatuses(paths, env),
    limits: groupLimits(paths, holder),
    polling,
  };
}
