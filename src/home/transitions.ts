/*
 * The life of a job, as places in the home. State is where the file is (as in nq and
 * Maildir); every move is one rename(2) or one link(2), the only operations that are atomic
 * on local disks and on NFS alike.
 *
 *   open       jobqueue/NAME                 dropped by a user (atomically: see README)
 *   assigned   .fjd/workers/W/pod/ID         moved there by the dispatcher, after it created
 *                                            .fjd/records/ID.json with O_EXCL (this reserves
 *                                            the id: NAME, or NAME~2 … for a repeated name)
 *   running    .fjd/workers/W/pod/ID         the same file; the record says "running"
 *   finished   done/ID                       exit 0
 *   failed     failed/ID                     non-zero exit, signal, or it could not run
 *   (requeued  jobqueue/NAME                 the worker was fired with --now, or died)
 *
 * Assigning is rename(jobqueue/NAME → pod/ID): it either happens or not, so a job is never in
 * two places, and a dispatcher killed at any moment leaves the file in jobqueue/ or in a pod.
 * Ending is link(pod/ID → done/ID) then unlink(pod/ID): link never replaces an existing file,
 * so nothing in done/ or failed/ is ever overwritten (a taken name gets the next ~N), and a
 * crash between the two leaves the file in both places, which is repaired by finishing the
 * unlink; never in none. The record is rewritten by rename before the file moves, so a job
 * in done/ or failed/ always has its final record.
 *
 * Idle workers announce themselves with workerqueue/W, written by rename. The worker removes
 * its announcement when it takes a job from its pod and writes it again when its pod is
 * empty. The dispatcher treats an announcement as "this worker finished what it was given"
 * only after reading the records of the jobs it gave: an announcement it sees late never
 * makes it hand a busy worker a second job.
 */
import fs from 'node:fs';
import path from 'node:path';
import {errnoCode} from '../errors.js';
import type {HomePaths} from './layout.js';
import {moveNoClobber} from './atomic.js';
import {numberedName} from './names.js';
import {createRecord, newRecord, readRecord, writeRecord, type JobRecord} from '../job/record.js';

export function workerDir(paths: HomePaths, workerId: string): string {
  return path.join(paths.workers, workerId);
}

export function podDir(paths: HomePaths, workerId: string): string {
  return path.join(paths.workers, workerId, 'pod');
}

export function announcementPath(paths: HomePaths, workerId: string): string {
  return path.join(paths.workerqueue, workerId);
}

export interface Assignment {
  id: string;
  record: JobRecord;
}

// Moves jobqueue/NAME into worker W's pod under a fresh id. `firstNumber` is where the id
// search starts (the caller remembers how far a repeated name got). Returns undefined when
// the file is gone (a user took it back), after withdrawing the reserved record.
export function assignJob(
  paths: HomePaths,
  name: string,
  workerId: string,
  host: string,
  firstNumber = 1,
): Assignment | undefined {
  let id = '';
  let record: JobRecord | undefined;
  const assignedAt = new Date().toISOString();
  for (let n = firstNumber; record === undefined; n++) {
    id = numberedName(name, n);
    const candidate = newRecord(id, name);
    Object.assign(candidate, {state: 'assigned', assignedAt, worker: workerId, host});
    if (createRecord(paths, candidate)) {
      record = candidate;
      break;
    }
    // The id is taken. If it is this very job coming back after a requeue, it keeps its id
    // and its history of attempts.
    const existing = readRecord(paths, id);
    if (existing !== undefined && existing.state === 'requeued' && existing.requeuedAs === name) {
      record = {...existing, state: 'assigned', assignedAt, worker: workerId, host, requeuedAs: null};
      writeRecord(paths, record);
    }
  }
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
  return {id, record};
}

// The worker's pod no longer exists: the worker has left. The job is still in jobqueue/.
export class PodClosedError extends Error {
  constructor(readonly workerId: string) {
    super(`worker ${workerId} has closed its pod`);
  }
}

// Undoes the reservation of an assignment that did not happen: a fresh record is removed,
// a requeued job's record is put back as it was.
function withdrawRecord(paths: HomePaths, record: JobRecord, name: string): void {
  if (record.attempts.length > 0) {
    writeRecord(paths, {...record, state: 'requeued', requeuedAs: name, worker: null, host: null});
    return;
  }
  try {
    fs.unlinkSync(path.join(paths.records, `${record.id}.json`));
  } catch {
    // already gone
  }
}

// Moves a job out of a pod into done/ or failed/ under its id (or the next free ~N).
// Returns the name it got there.
export function endJob(paths: HomePaths, workerId: string, id: string, outcome: 'finished' | 'failed'): string {
  const dir = outcome === 'finished' ? paths.done : paths.failed;
  return moveNoClobber(path.join(podDir(paths, workerId), id), dir, id);
}

// Puts a job from a pod back into jobqueue/ under its original name (or the next free ~N),
// with its record saying so, so that its next assignment continues the same record.
export function requeueJob(paths: HomePaths, source: string, record: JobRecord, reason: string): string {
  // The name is decided by the move; the record must name it before the file is visible in
  // jobqueue/, so reserve the likely name first and correct the record if the move differs.
  record.state = 'requeued';
  record.reason = reason;
  record.requeuedAs = record.name;
  writeRecord(paths, record);
  const got = moveNoClobber(source, paths.jobqueue, record.name);
  if (got !== record.name) {
    record.requeuedAs = got;
    writeRecord(paths, record);
  }
  return got;
}

// The terminal place of a job id whose record says where its file went.
export function terminalDir(paths: HomePaths, outcome: 'finished' | 'failed'): string {
  return outcome === 'finished' ? paths.done : paths.failed;
}
