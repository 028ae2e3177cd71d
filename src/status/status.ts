// What a home holds right now, read from the directories alone: every job's state is where
// its file is, and every worker's state is whether it has announced itself and what its
// pod holds. This is the data behind `fjd status` and its --json form.
import fs from 'node:fs';
import path from 'node:path';
import {homePaths, type HomePaths} from '../home/layout.js';
import {listDir} from '../home/atomic.js';
import {isIgnoredName} from '../home/names.js';
import {announcementPath, currentJobPath, heartbeatPath, podDir} from '../home/paths.js';
import {readRecord} from '../home/record.js';
import {listWorkers, workerLiveness} from '../home/registry.js';
import {readRunningJobs} from '../home/current-job.js';
import type {ReportedJobState} from '../home/find-job.js';
import {hostName} from '../util/host.js';
import {endRate, etaSeconds, type EndRate} from './rate.js';
import {slurmJobStatuses, type SlurmJobStatus} from '../slurm/status.js';
import {groupLimits, type GroupLimit} from './why-waiting.js';
import {dispatcherHolder, type DispatcherHolder} from '../home/lock-file.js';

export interface JobStatus {
  name: string;
  id: string | null;
  state: ReportedJobState;
  // Where the file is, relative to the home.
  file: string;
  worker: string | null;
  reason: string | null;
}

export interface WorkerStatus {
  id: string;
  host: string | null;
  pid: number | null;
  // idle: announced, nothing to do; busy: has a job; between: neither, for a moment;
  // lost: its process is gone (same host only); starting: not registered yet.
  state: 'idle' | 'busy' | 'between' | 'lost' | 'starting';
  job: string | null;
  jobStartedAt: string | null;
  // How long its running job has run so far, by this host's clock; null when none runs.
  jobRunningForMs: number | null;
  log: string | null;
  // What keeps it from recording, from its heartbeat (such as ENOSPC), or null.
  problem: string | null;
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
  jobs: JobStatus[];
  workers: WorkerStatus[];
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

function heartbeatProblem(paths: HomePaths, id: string): string | null {
  try {
    const word = fs.readFileSync(heartbeatPath(paths, id), 'utf8').trim().split(/\s+/)[1];
    return word === undefined || word === 'ok' ? null : word;
  } catch {
    return null;
  }
}

// How long the job of a worker on another host has run, without comparing that host's clock
// with ours: from the file server's times of the worker's note of its job and of its latest
// heartbeat (so up to one heartbeat short).
function runningElsewhereMs(paths: HomePaths, id: string): number | null {
  try {
    return Math.max(0, fs.statSync(heartbeatPath(paths, id)).mtimeMs - fs.statSync(currentJobPath(paths, id)).mtimeMs);
  } catch {
    return null;
  }
}

// The running dispatcher, from its lock, if it polls.
function dispatcherPolling(holder: DispatcherHolder | undefined): PollingProcess | undefined {
  if (holder === undefined || holder.polling === null) return undefined;
  return {process: 'dispatcher', worker: null, host: holder.host, pid: holder.pid, reason: holder.polling};
}

export function collectStatus(home: string, now = Date.now(), env: NodeJS.ProcessEnv = process.env): StatusReport {
  const paths: HomePaths = homePaths(home);
  const jobs: JobStatus[] = [];
  const workers: WorkerStatus[] = [];
  const polling: PollingProcess[] = [];
  const holder = dispatcherHolder(paths);
  const dispatcher = dispatcherPolling(holder);
  if (dispatcher !== undefined) polling.push(dispatcher);
  const rel = (file: string): string => path.relative(paths.root, file);
  for (const name of jobNames(paths.jobqueue)) {
    jobs.push({name, id: null, state: 'open', file: rel(path.join(paths.jobqueue, name)), worker: null, reason: null});
  }
  for (const {id, info} of listWorkers(paths)) {
    const pod = podDir(paths, id);
    const held = listDir(pod)
      .filter((name) => !name.startsWith('.'))
      .sort();
    let jobStartedAt: string | null = null;
    const running = readRunningJobs(paths, id);
    const current = running.find((job) => held.includes(job.id));
    for (const jobId of held) {
      const record = readRecord(paths, jobId);
      const note = running.find((job) => job.id === jobId);
      const state = note !== undefined ? 'running' : 'assigned';
      if (note !== undefined && jobStartedAt === null) jobStartedAt = note.startedAt;
      jobs.push({
        name: record?.name ?? jobId,
        id: jobId,
        state,
        file: rel(path.join(pod, jobId)),
        worker: id,
        reason: null,
      });
    }
    const announced = fs.existsSync(announcementPath(paths, id));
    const alive = info === undefined ? 'unknown' : workerLiveness(info);
    if (typeof info?.polling === 'string' && alive !== 'dead')
      polling.push({process: 'worker', worker: id, host: info.host, pid: info.pid, reason: info.polling});
    workers.push({
      id,
      host: info?.host ?? null,
      pid: info?.pid ?? null,
      state:
        info === undefined
          ? 'starting'
          : alive === 'dead'
            ? 'lost'
            : held.length > 0
              ? 'busy'
              : announced
                ? 'idle'
                : 'between',
      job: current !== undefined ? current.id : (held[0] ?? null),
      jobStartedAt,
      jobRunningForMs:
        jobStartedAt === null
          ? null
          : info !== undefined && info.host !== hostName()
            ? runningElsewhereMs(paths, id)
            : Math.max(0, now - Date.parse(jobStartedAt)),
      log: info?.log ?? null,
      problem: heartbeatProblem(paths, id),
    });
  }
  for (const name of jobNames(paths.done)) {
    jobs.push({name, id: name, state: 'finished', file: rel(path.join(paths.done, name)), worker: null, reason: null});
  }
  for (const name of jobNames(paths.failed)) {
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
  const counts: Record<ReportedJobState, number> = {open: 0, assigned: 0, running: 0, finished: 0, failed: 0};
  for (const job of jobs) counts[job.state]++;
  const ended = jobs
    .filter((job) => job.state === 'finished' || job.state === 'failed')
    .map((job) => path.join(paths.root, job.file));
  const rate = endRate(ended, now);
  const eta = etaSeconds(rate, counts.open + counts.assigned + counts.running);
  return {
    fjd: 1,
    home: paths.root,
    counts,
    jobs,
    workers,
    rate,
    etaSeconds: eta,
    slurmJobs: slurmJobStatuses(paths, env),
    limits: groupLimits(paths, holder),
    polling,
  };
}
