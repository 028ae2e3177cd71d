// Every file and directory fjd names inside the home's directories (layout.ts), defined once:
// whoever writes or reads one asks here for its path, and names found by listing a directory
// are parsed here (recordIdOf, workerCancelIdOf …).
//
//   jobqueue/NAME  workerqueue/W  done/ID  failed/ID
//   .fjd/dispatcher.lock                    the dispatcher lock (lock-file.ts)
//   .fjd/paused                             the queue is held (`fjd pause`, pause.ts)
//   .fjd/records/ID.json                    each job's record (record.ts)
//   .fjd/output/ID.out, ID.err, ID.N.out …  each attempt's stdout and stderr
//   .fjd/cancel/NAME  .fjd/priority/NAME    requests for open jobs (cancel-requests.ts, priority.ts)
//   .fjd/failures.log  .fjd/slurm/JOB.json  .fjd/logs/  .fjd/tmp/
//   .fjd/workers/W/                         worker W (registry.ts): info.json, heartbeat,
//       current, fire, cancel.ID, pod/ (its jobs, and .ID.record while one leaves it: see
//       transitions.ts), pod.closed and pod.lost-… (pods left by an exit or a recovery)
import path from 'node:path';
import {listDir} from './atomic.js';
import {DONE, FAILED, type HomePaths} from './layout.js';

// ---- files of the home ------------------------------------------------------------------

export function lockPath(paths: HomePaths): string {
  return path.join(paths.internal, 'dispatcher.lock');
}

// Where a stale lock is renamed to before it is removed, so that of several dispatchers
// taking it over, one does.
export function staleLockPath(paths: HomePaths, token: string): string {
  return `${lockPath(paths)}.stale-${token}`;
}

// While this file is there, no dispatcher hands out a job (pause.ts).
export const PAUSE_FILE = 'paused';

export function pausePath(paths: HomePaths): string {
  return path.join(paths.internal, PAUSE_FILE);
}

// ---- records and output -----------------------------------------------------------------

export const RECORD_SUFFIX = '.json';

export function recordPath(paths: HomePaths, id: string): string {
  return path.join(paths.records, `${id}${RECORD_SUFFIX}`);
}

// The job id whose record a name in .fjd/records/ is, or undefined for any other name.
export function recordIdOf(fileName: string): string | undefined {
  return fileName.endsWith(RECORD_SUFFIX) && fileName.length > RECORD_SUFFIX.length
    ? fileName.slice(0, -RECORD_SUFFIX.length)
    : undefined;
}

// Where a job's output goes: `ID.out` for its first attempt, `ID.N.out` for its N-th.
export function stdoutPath(paths: HomePaths, id: string, attempt = 1): string {
  return path.join(paths.output, `${id}${attempt === 1 ? '' : `.${attempt}`}.out`);
}

export function stderrPath(paths: HomePaths, id: string, attempt = 1): string {
  return path.join(paths.output, `${id}${attempt === 1 ? '' : `.${attempt}`}.err`);
}

// Where a job that ended lies, relative to the home, as its record's `file` says.
export function endedFile(outcome: 'finished' | 'failed', id: string): string {
  return `${outcome === 'finished' ? DONE : FAILED}/${id}`;
}

export function slurmRecordPath(paths: HomePaths, job: string): string {
  return path.join(paths.slurm, `${job}.json`);
}

// ---- requests for open jobs -------------------------------------------------------------

// `fjd cancel`'s request to withdraw jobqueue/NAME (cancel-requests.ts).
export function openCancelPath(paths: HomePaths, name: string): string {
  return path.join(paths.cancel, name);
}

// The priority `fjd prioritize` set for jobqueue/NAME (priority.ts).
export function priorityPath(paths: HomePaths, name: string): string {
  return path.join(paths.priority, name);
}

// ---- a worker's directory ---------------------------------------------------------------

const POD = 'pod';
// The name of a fire request in a worker's directory, as its watch sees it.
export const FIRE_REQUEST = 'fire';
// Requests to stop job ID are named cancel.ID in the worker's directory.
export const WORKER_CANCEL_PREFIX = 'cancel.';

export function workerDir(paths: HomePaths, workerId: string): string {
  return path.join(paths.workers, workerId);
}

// Where the dispatcher puts the jobs it gives worker W.
export function podDir(paths: HomePaths, workerId: string): string {
  return path.join(paths.workers, workerId, POD);
}

// The pod a leaving worker renames its own to, so that nothing more can be put in it.
export function closedPodDir(paths: HomePaths, workerId: string): string {
  return path.join(paths.workers, workerId, `${POD}.closed`);
}

// The pod a recovery renames a lost worker's to (the fence), one name per recovery.
export function lostPodDir(paths: HomePaths, workerId: string, tag: string): string {
  return path.join(paths.workers, workerId, `${POD}.lost-${tag}`);
}

// Every pod in worker W's directory: its own, and those left by an exit or a recovery that
// was cut short (closed, lost).
export function podDirsOf(paths: HomePaths, workerId: string): string[] {
  const dir = workerDir(paths, workerId);
  return listDir(dir)
    .filter((entry) => entry === POD || entry.startsWith(`${POD}.`))
    .map((entry) => path.join(dir, entry));
}

// Whether a pod of podDirsOf is one left behind (closed, lost), not the worker's own.
export function isLeftPod(pod: string): boolean {
  return path.basename(pod).startsWith(`${POD}.`);
}

// Whether `dir` is the pod of some worker of the home.
export function isPodDir(paths: HomePaths, dir: string): boolean {
  const worker = path.dirname(dir);
  return path.dirname(worker) === paths.workers && dir === podDir(paths, path.basename(worker));
}

// The record of a job leaving a pod, staged there before the job moves (transitions.ts).
export function stagedRecordPath(pod: string, id: string): string {
  return path.join(pod, `.${id}.record`);
}

// The job id a staged record in a pod is for, or undefined for any other name.
export function stagedRecordIdOf(fileName: string): string | undefined {
  return /^\.(.+)\.record$/.exec(fileName)?.[1];
}

export function announcementPath(paths: HomePaths, workerId: string): string {
  return path.join(paths.workerqueue, workerId);
}

export function infoPath(paths: HomePaths, workerId: string): string {
  return path.join(paths.workers, workerId, 'info.json');
}

export function heartbeatPath(paths: HomePaths, workerId: string): string {
  return path.join(paths.workers, workerId, 'heartbeat');
}

export function firePath(paths: HomePaths, workerId: string): string {
  return path.join(paths.workers, workerId, FIRE_REQUEST);
}

// The job a worker runs now (current-job.ts).
export function currentJobPath(paths: HomePaths, workerId: string): string {
  return path.join(paths.workers, workerId, 'current');
}

// A request that worker W stop job ID (cancel-requests.ts).
export function workerCancelPath(paths: HomePaths, workerId: string, id: string): string {
  return path.join(paths.workers, workerId, `${WORKER_CANCEL_PREFIX}${id}`);
}

// The job id a cancel request in a worker's directory is for, or undefined for any other name.
export function workerCancelIdOf(fileName: string): string | undefined {
  return fileName.startsWith(WORKER_CANCEL_PREFIX) ? fileName.slice(WORKER_CANCEL_PREFIX.length) : undefined;
}
