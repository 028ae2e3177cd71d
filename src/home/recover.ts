// Recovering the jobs of a worker that died (killed, crashed, its host gone) or that is
// presumed dead because its heartbeat stopped. The pod is renamed away first: that fences a
// worker that is only frozen, so when it comes back it can record nothing. Then whatever a
// crash interrupted is finished, and every job still held goes back to jobqueue/ (at least
// once delivery), or to failed/ with reason "worker lost" once it has lost too many workers.
// The dispatcher recovers the workers it finds lost, `recruiter fire` those it finds dead; a
// worker never runs this, which is why it is part of the protocol here and not of worker/.
import fs from 'node:fs';
import path from 'node:path';
import type {HomePaths} from './layout.js';
import {listDir, readJson, unlinkIfPresent} from './atomic.js';
import {directoryProblem} from './directories.js';
import {announcementPath, infoPath, isLeftPod, lostPodDir, podDir, podDirsOf, workerDir} from './paths.js';
import {attemptRecord} from './record.js';
import {leavePod, recordFor, repairPod} from './transitions.js';
import {parseJobFile} from '../job/job-file.js';
import {signalGroup} from '../util/kill-tree.js';
import {crashPoint} from '../util/crash-point.js';
import {hostName} from '../util/host.js';
import type {WorkerInfo} from './registry.js';
import {jobProcessesOf} from './job-processes.js';
import {readRunningJobs, type CurrentJob} from './current-job.js';

export const DEFAULT_MAX_ATTEMPTS = 3;

export interface Recovery {
  requeued: string[];
  failed: string[];
  completed: string[];
}

export interface RecoverOptions {
  // Why the worker is considered lost, for the records.
  reason: string;
  // Jobs seen running (their processes, on this host) although their record does not say so.
  ran?: Set<string>;
  // The jobs the worker noted as running when it died.
  running?: readonly CurrentJob[];
  // The host the worker ran on.
  host?: string | null;
  // How many lost workers a job may see before it fails (a job's max_attempts wins).
  maxAttempts: number;
  // Allow directories that their group may write (src/home/directories.ts).
  groupShared?: boolean;
}

// Throws the problem of a worker's directory or pod that files may not be moved out of (a
// link would bring in the files of wherever it points).
function refuseUnsafe(dir: string, options: RecoverOptions): void {
  const problem = directoryProblem(dir, {groupShared: options.groupShared === true});
  if (problem !== undefined) throw problem;
}

export function recoverLostWorker(paths: HomePaths, workerId: string, options: RecoverOptions): Recovery {
  const recovery: Recovery = {requeued: [], failed: [], completed: []};
  const dir = workerDir(paths, workerId);
  refuseUnsafe(dir, options);
  // On this host, stop whatever the worker's jobs still run (they have no worker to report
  // to), including one it had started but not yet recorded; remember which jobs ran.
  const ran = new Set<string>();
  const running = readRunningJobs(paths, workerId);
  const host = readJson<WorkerInfo>(infoPath(paths, workerId))?.host ?? null;
  if (host === hostName()) {
    for (const job of jobProcessesOf(workerId)) {
      signalGroup(job.pgid, 'SIGKILL');
      ran.add(job.jobId);
    }
  }
  try {
    fs.renameSync(podDir(paths, workerId), lostPodDir(paths, workerId, `${process.pid}-${Date.now()}`));
  } catch {
    // No pod: the worker closed it itself, or another recovery fenced it already.
  }
  crashPoint('recover:fenced');
  unlinkIfPresent(announcementPath(paths, workerId));
  const pods = podDirsOf(paths, workerId).filter(isLeftPod);
  for (const pod of pods) refuseUnsafe(pod, options);
  for (const pod of pods) recoverPod(paths, pod, {...options, ran, running, host}, recovery);
  if (podDirsOf(paths, workerId).every((pod) => !isLeftPod(pod) || listDir(pod).length === 0)) {
    fs.rmSync(dir, {recursive: true, force: true});
  }
  return recovery;
}

// Why a job failed that lost more workers than it may: how many, and how many it may lose.
export interface LostTooOften {
  lost: number;
  maxAttempts: number;
}

// The text of that reason in the job's record.
export function lostTooOftenText({lost, maxAttempts}: LostTooOften): string {
  return `worker lost ${lost} time${lost === 1 ? '' : 's'} (max_attempts ${maxAttempts})`;
}

function maxAttemptsOf(file: string): number | undefined {
  try {
    return parseJobFile(fs.readFileSync(file)).control.maxAttempts;
  } catch {
    return undefined;
  }
}

// Recovers the jobs in one pod that nobody works in any more.
export function recoverPod(paths: HomePaths, pod: string, options: RecoverOptions, recovery: Recovery): void {
  recovery.completed.push(...repairPod(paths, pod));
  for (const id of listDir(pod).sort()) {
    if (id.startsWith('.')) continue;
    const file = path.join(pod, id);
    const record = recordFor(paths, id);
    const killed = options.ran?.has(id) === true;
    const noted = options.running?.find((job) => job.id === id);
    if (killed || (noted !== undefined && noted.attempt > record.attempts.length)) {
      // It had started (its worker noted it, or its processes were found and stopped): the
      // run counts as an attempt, lost with its worker.
      const now = new Date().toISOString();
      const startedAt = noted?.startedAt ?? now;
      const worker = path.basename(path.dirname(pod));
      const started = {attempt: record.attempts.length + 1, worker, host: options.host ?? null, startedAt};
      record.attempts.push(
        attemptRecord(started, {
          endedAt: now,
          signal: killed ? 'SIGKILL' : null,
          reason: options.reason,
          outcome: 'lost',
        }),
      );
    }
    const lost = record.attempts.filter((attempt) => attempt.outcome === 'lost').length;
    const max = maxAttemptsOf(file) ?? options.maxAttempts;
    if (lost >= max) {
      Object.assign(record, {state: 'failed', reason: lostTooOftenText({lost, maxAttempts: max})});
      Object.assign(record, {endedAt: new Date().toISOString(), exitCode: null, signal: null});
      leavePod(paths, pod, record);
      recovery.failed.push(id);
    } else {
      Object.assign(record, {state: 'requeued', reason: options.reason, requeuedAs: null});
      leavePod(paths, pod, record);
      recovery.requeued.push(id);
    }
  }
}
