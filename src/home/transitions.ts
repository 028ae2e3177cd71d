/*
 * The life of a job, as places in the home. State is where the file is (as in nq and
 * Maildir); every move is one rename(2) or one link(2), the only operations that are atomic
 * on local disks and on NFS alike.
 *
 *   open       jobqueue/NAME                 dropped by a user (atomically: see README)
 *   assigned   .fjd/workers/W/pod/ID         moved there by the dispatcher, after it created
 *                                            .fjd/records/ID.json with O_EXCL (this reserves
 *                                            the id: NAME, or NAME~2 … for a repeated name)
 *   running    .fjd/workers/W/pod/ID         the same file; the worker noted it in workers/W/current
 *   finished   done/ID                       exit 0
 *   failed     failed/ID                     non-zero exit, signal, timeout, or it could not run
 *   requeued   jobqueue/NAME                 fired with --now, worker lost, or `fjd retry`
 *
 * Assigning is rename(jobqueue/NAME → pod/ID): it either happens or not, so a job is never in
 * two queues, and a dispatcher killed at any moment leaves the file in jobqueue/ or in a pod.
 *
 * Leaving a pod (leavePod) takes four steps, each repeatable after a crash:
 *   1. the new record, whose state says where the file goes, is staged as pod/.ID.record;
 *   2. link(pod/ID → done/ID, failed/ID or jobqueue/NAME): link never replaces a file, so a
 *      taken name gets the next ~N and nothing is ever overwritten;
 *   3. the staged record is renamed to .fjd/records/ID.json;
 *   4. pod/ID is unlinked.
 * A crash after 1 or 2 leaves the staged record, which completeFromPod finishes; after 3, the
 * file is in two places with the same inode, and the pod's copy is simply unlinked. A file is
 * therefore never in no place, and a job in done/ or failed/ always has its final record.
 * A job put back whose record cannot be written now (permissions changed for a moment, a full
 * disk) has its link in jobqueue/ removed again, so that no dispatcher hands it out meanwhile.
 *
 * The pod is also the fence against a worker presumed dead (lost lease) that comes back: the
 * recovery renames the pod away first, so the late worker's step 1 (and 2) fails with ENOENT
 * and it records nothing, while the recovery puts the job back in jobqueue/. A pod that is
 * missing because the whole home is away for a moment is no fence (see presence.ts).
 *
 * A worker announces that it takes jobs with workerqueue/W, written by rename once it has
 * registered, and removed only when it stops taking jobs (fired, or leaving); a worker of an
 * earlier fjd also removes it while it runs a job and writes it again when its pod is empty.
 * The dispatcher hands W jobs while the announcement is there, as many as fit what W offers
 * (info.json) less what the jobs it handed W and has not seen end ask for; it learns of an
 * end from the job's record (.fjd/records/ID.json renamed in; a first attempt seen linked into
 * done/ just before needs no reading of it), or, at a rescan, from a listing of W's pod: a job
 * gone from it has left, and its record says where to.
 */
import fs from 'node:fs';
import path from 'node:path';
import {errnoCode} from '../errors.js';
import type {HomePaths} from './layout.js';
import {linkNoClobber, readJson, sameFile, unlinkIfPresent} from './atomic.js';
import {MAX_ID_BYTES, MAX_JOB_NAME_BYTES} from './names.js';
import {podDir, podDirsOf, recordPath, stagedRecordIdOf, stagedRecordPath} from './paths.js';
import {newRecord, readRecord, reserveRecord, writeRecord, type JobRecord} from './record.js';
import type {Request} from '../job/resources.js';
import {crashPoint} from '../util/crash-point.js';
import {isRetryableMoveError} from '../util/transient.js';
import {podTakenAway} from './presence.js';

export interface Assignment {
  id: string;
  record: JobRecord;
}

// The worker's pod no longer exists: the worker has left. The job is still in jobqueue/.
export class PodClosedError extends Error {
  constructor(readonly workerId: string) {
    super(`worker ${workerId} has closed its pod`);
  }
}

// The pod was taken away from a worker presumed dead: whatever it wanted to record is void.
export class FencedError extends Error {
  constructor(readonly pod: string) {
    super(`${pod} is gone: this worker was presumed lost and its jobs were recovered`);
  }
}

// Whether an existing record of `id` may be taken over by the job `name` being assigned: it
// is this very job coming back after a requeue (it keeps its id and history), or a
// reservation left by a dispatcher that died before it moved the file.
function reusable(paths: HomePaths, record: JobRecord | undefined, name: string): boolean {
  if (record === undefined || record.name !== name) return false;
  if (record.state === 'requeued') return record.requeuedAs === name;
  if (record.state === 'assigned' && record.worker !== null) {
    // Reserved, but is the file in that worker's pod (or a pod being closed or recovered)?
    return podDirsOf(paths, record.worker).every((pod) => !fs.existsSync(path.join(pod, record.id)));
  }
  return false;
}

// Moves jobqueue/NAME into worker W's pod under a fresh id (reserveRecord). `firstNumber` is
// where the id search starts (the caller remembers how far a repeated name got). Returns
// undefined when the file is gone (a user took it back), after withdrawing the reserved record.
export function assignJob(
  paths: HomePaths,
  name: string,
  workerId: string,
  host: string,
  firstNumber = 1,
  // When it is handed out; the dispatcher makes these strictly increasing, so that a worker
  // given two jobs in the same clock tick runs them in the order they were handed out.
  assignedAt = new Date().toISOString(),
  // Its place in line (JobRecord.submittedMs), for a job handed out the first time.
  submittedMs: number | null = null,
  // What it asks of the worker ([control] cpus, memory, gpus), for its record (null: the
  // default).
  request: Request | null = null,
): Assignment | undefined {
  const record = reserveRecord(
    paths,
    name,
    firstNumber,
    (id) => ({...newRecord(id, name), state: 'assigned', assignedAt, worker: workerId, host, submittedMs, request}),
    (existing) =>
      reusable(paths, existing, name)
        ? {
            ...existing,
            state: 'assigned',
            assignedAt,
            worker: workerId,
            host,
            requeuedAs: null,
            reason: null,
            submittedMs: existing.submittedMs ?? submittedMs,
            request,
          }
        : undefined,
  );
  const {id} = record;
  crashPoint('assign:recorded');
  const source = path.join(paths.jobqueue, name);
  try {
    fs.renameSync(source, path.join(podDir(paths, workerId), id));
  } catch (error) {
    withdrawRecord(paths, record, name);
    if (errnoCode(error) === 'ENOENT') {
      // Either the job was taken back, or the worker closed its pod (it is leaving).
      if (fs.existsSync(source)) throw new PodClosedError(workerId);
      return undefined;
    }
    throw error;
  }
  crashPoint('assign:moved');
  return {id, record};
}

// Undoes the reservation of an assignment that did not happen: a fresh record is removed,
// a requeued job's record is put back as it was.
function withdrawRecord(paths: HomePaths, record: JobRecord, name: string): void {
  if (record.attempts.length > 0) {
    writeRecord(paths, {...record, state: 'requeued', requeuedAs: name, worker: null, host: null});
    return;
  }
  unlinkIfPresent(recordPath(paths, record.id));
}

// Where a record's state sends its job file, and how long a numbered name may be there (a
// name in jobqueue/ is a job's name again).
function destination(paths: HomePaths, record: JobRecord): {dir: string; name: string; maxBytes: number} {
  switch (record.state) {
    case 'finished':
      return {dir: paths.done, name: record.id, maxBytes: MAX_ID_BYTES};
    case 'failed':
      return {dir: paths.failed, name: record.id, maxBytes: MAX_ID_BYTES};
    default:
      return {dir: paths.jobqueue, name: record.requeuedAs ?? record.name, maxBytes: MAX_JOB_NAME_BYTES};
  }
}

// Moves a job out of `pod` to where its new record says (done/, failed/ or back to jobqueue/),
// in the four steps described at the top. Returns the name the file got there. Throws
// FencedError if the pod was taken away.
export function leavePod(paths: HomePaths, pod: string, record: JobRecord): string {
  if (record.state === 'requeued') record.requeuedAs ??= record.name;
  // Written in place, not by rename: a staged record cut short by a crash does not parse, and
  // is then ignored, which is right, since nothing moved before it was complete.
  try {
    fs.writeFileSync(stagedRecordPath(pod, record.id), `${JSON.stringify(record, null, 2)}\n`, {mode: 0o600});
  } catch (error) {
    unlinkIfPresent(stagedRecordPath(pod, record.id));
    if (errnoCode(error) === 'ENOENT' && podTakenAway(pod)) throw new FencedError(pod);
    throw error;
  }
  crashPoint('leave:staged');
  return completeFromPod(paths, pod, record);
}

// Steps 2 to 4 of leavePod, from a staged record; also what recovery runs after a crash.
export function completeFromPod(paths: HomePaths, pod: string, record: JobRecord): string {
  const file = path.join(pod, record.id);
  const staged = stagedRecordPath(pod, record.id);
  const {dir, name, maxBytes} = destination(paths, record);
  let got: string;
  try {
    got = linkNoClobber(file, dir, name, 1, maxBytes);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' && podTakenAway(pod)) throw new FencedError(pod);
    throw error;
  }
  crashPoint('leave:linked');
  const rel = `${path.basename(dir)}/${got}`;
  if (record.state === 'requeued') {
    const renamed = record.requeuedAs !== got;
    try {
      if (renamed) writeRecord(paths, {...record, requeuedAs: got});
      else fs.renameSync(staged, recordPath(paths, record.id));
    } catch (error) {
      // Not back in the queue before its record says so: a dispatcher would take the file
      // for a new job while it is still in this pod, and it would run twice. Undone, the move
      // is as after step 1, and is tried again (or repaired) from there.
      if (sameFile(file, path.join(dir, got))) unlinkIfPresent(path.join(dir, got));
      throw error;
    }
    if (renamed) {
      record.requeuedAs = got;
      unlinkIfPresent(staged);
    }
  } else if (record.file !== rel) {
    record.file = rel;
    writeRecord(paths, record);
    unlinkIfPresent(staged);
  } else {
    fs.renameSync(staged, recordPath(paths, record.id));
  }
  crashPoint('leave:recorded');
  try {
    fs.unlinkSync(file);
  } catch (error) {
    // Gone already from a pod that is there: a repair got to it first. From a pod that is not
    // there (the home away for a moment), the move is not finished, and is tried again.
    if (errnoCode(error) !== 'ENOENT' || !fs.existsSync(pod)) throw error;
  }
  crashPoint('leave:unlinked');
  return got;
}

// Finishes whatever a crash interrupted in a pod that nobody works in any more: staged records
// are completed, and files already in their place are unlinked. Returns the ids it completed;
// what is left in the pod are jobs that were assigned or running, for the caller to decide on.
export function repairPod(paths: HomePaths, pod: string): string[] {
  const completed: string[] = [];
  let names: string[];
  try {
    names = fs.readdirSync(pod);
  } catch {
    return completed;
  }
  for (const name of names) {
    const id = stagedRecordIdOf(name);
    if (id === undefined) continue;
    const staged = readJson<JobRecord>(path.join(pod, name));
    if (staged === undefined) {
      unlinkIfPresent(path.join(pod, name));
      continue;
    }
    if (fs.existsSync(path.join(pod, id))) {
      completeFromPod(paths, pod, staged);
    } else {
      // Only the rename of the record was left to do.
      fs.renameSync(path.join(pod, name), recordPath(paths, id));
    }
    completed.push(id);
  }
  for (const id of fs.readdirSync(pod)) {
    if (id.startsWith('.')) continue;
    const file = path.join(pod, id);
    const record = readRecord(paths, id);
    if (record === undefined) continue;
    const {dir, name} = destination(paths, record);
    const there =
      record.state === 'finished' || record.state === 'failed' ? record.file : `${path.basename(dir)}/${name}`;
    if (there !== null && sameFile(file, path.join(paths.root, there))) {
      unlinkIfPresent(file);
      completed.push(id);
    }
  }
  return completed;
}

// A record for a job whose file was found somewhere it cannot stay, or was never started.
// Throws when its record is there but cannot be read now (permissions changed for a moment, a
// full or unreachable filesystem): a record made up in its place would lose its history.
export function recordFor(paths: HomePaths, id: string): JobRecord {
  const record = readRecord(paths, id);
  if (record !== undefined) return record;
  try {
    fs.readFileSync(recordPath(paths, id));
  } catch (error) {
    if (isRetryableMoveError(errnoCode(error))) throw error;
  }
  return newRecord(id, id);
}
