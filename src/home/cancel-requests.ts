// Cancelling jobs: an open job is withdrawn from jobqueue/ into failed/ with the reason
// "cancelled"; a job in a worker's pod is stopped by that worker (its process group gets TERM,
// then KILL after the grace time) and ends the same way. Nothing is deleted.
//
// Only the holder of the dispatcher lock moves files out of jobqueue/, so an open job is
// cancelled through a request, .fjd/cancel/NAME, that the dispatcher carries out (or `fjd
// cancel` itself, when no dispatcher runs and it can take the lock). The request is also the
// log of what was done: it stays until the job is in failed/ with its record, so a holder
// killed half-way is followed by one that finishes the same steps:
//   1. reserve the job's id with its record (state failed, reason cancelled), and note the id
//      in the request;
//   2. link jobqueue/NAME into failed/ (never over another file);
//   3. unlink jobqueue/NAME, then the request.
// A job in a pod is cancelled through .fjd/workers/W/cancel.ID, which worker W carries out
// (src/worker/requests.ts) and removes. What `fjd cancel` does with these is src/queue/cancel.ts;
// the dispatcher carries out the requests for open jobs, and makes its own for a job that
// cannot run (a dependency failed).
import fs from 'node:fs';
import path from 'node:path';
import type {HomePaths} from './layout.js';
import {linkNoClobber, listDir, readJson, sameFile, unlinkIfPresent, writeFileAtomic} from './atomic.js';
import {idStem} from './names.js';
import {endedFile, openCancelPath, workerCancelPath} from './paths.js';
import {newRecord, readRecord, reserveRecord, writeRecord, type JobRecord} from './record.js';
import {crashPoint} from '../util/crash-point.js';
import {hostName} from '../util/host.js';

// The reason of a cancelled job, in its record.
export const CANCELLED = 'cancelled';

interface CancelRequest {
  name: string;
  requestedAt: string;
  by: string;
  // The id reserved for it, once the lock holder has started on it.
  id?: string;
  // Why it fails: "cancelled", or what the dispatcher found (a dependency that failed).
  reason?: string;
}

export interface CancelledOpenJob {
  name: string;
  reason: string;
  // undefined when the job was no longer in jobqueue/ (assigned meanwhile, or taken back).
  id?: string;
  file?: string;
}

// Asks the dispatcher (or whoever holds its lock) to withdraw jobqueue/NAME into failed/, with
// the reason "cancelled", or the one given (the dispatcher's own, for a job that cannot run).
export function requestOpenCancel(paths: HomePaths, name: string, reason?: string): void {
  fs.mkdirSync(paths.cancel, {recursive: true, mode: 0o700});
  const request: CancelRequest = {
    name,
    requestedAt: new Date().toISOString(),
    by: `${hostName()}:${process.pid}`,
    reason,
  };
  writeFileAtomic(paths.tmp, openCancelPath(paths, name), `${JSON.stringify(request)}\n`);
}

export function openCancelPending(paths: HomePaths, name: string): boolean {
  return fs.existsSync(openCancelPath(paths, name));
}

// Asks worker W to stop job ID (running or waiting in its pod) and fail it as cancelled.
export function requestWorkerCancel(paths: HomePaths, workerId: string, id: string): void {
  const body = JSON.stringify({id, requestedAt: new Date().toISOString(), by: `${hostName()}:${process.pid}`});
  writeFileAtomic(paths.tmp, workerCancelPath(paths, workerId, id), `${body}\n`);
}

// Carries out every pending request to cancel an open job. Only the holder of the dispatcher
// lock may call this. Returns what it did, request by request.
// `mayMove` is asked once, when there is a request: whether files may be moved through the
// home's directories now (none is unsafe); if not, nothing is done, and the next call tries.
export function carryOutOpenCancels(paths: HomePaths, mayMove: () => boolean = () => true): CancelledOpenJob[] {
  const names = listDir(paths.cancel).filter((name) => !name.startsWith('.'));
  if (names.length === 0 || !mayMove()) return [];
  return names.map((name) => cancelOpenJob(paths, name));
}

function cancelOpenJob(paths: HomePaths, name: string): CancelledOpenJob {
  const request = openCancelPath(paths, name);
  const source = path.join(paths.jobqueue, name);
  const asked = readJson<CancelRequest>(request);
  const reason = asked?.reason ?? CANCELLED;
  let record = asked?.id === undefined ? undefined : resumable(paths, asked.id, name, reason);
  if (record === undefined && !fs.existsSync(source)) {
    unlinkIfPresent(request);
    return {name, reason};
  }
  if (record === undefined) {
    record = reserve(paths, name, reason);
    const noted: CancelRequest = {
      name,
      requestedAt: asked?.requestedAt ?? record.endedAt ?? '',
      by: asked?.by ?? '',
      id: record.id,
      reason,
    };
    writeFileAtomic(paths.tmp, request, `${JSON.stringify(noted)}\n`);
    crashPoint('cancel:reserved');
  }
  const planned = path.join(paths.root, record.file ?? endedFile('failed', record.id));
  if (fs.existsSync(source) && !sameFile(source, planned)) {
    const got = linkNoClobber(source, paths.failed, record.id);
    if (endedFile('failed', got) !== record.file) {
      record.file = endedFile('failed', got);
      writeRecord(paths, record);
    }
  }
  crashPoint('cancel:linked');
  unlinkIfPresent(source);
  unlinkIfPresent(request);
  return {name, reason, id: record.id, file: record.file ?? undefined};
}

// The record an interrupted cancel of this job reserved, if it is still that.
function resumable(paths: HomePaths, id: string, name: string, reason: string): JobRecord | undefined {
  const record = readRecord(paths, id);
  if (record?.name !== name || record.state !== 'failed' || record.reason !== reason) return undefined;
  return record;
}

// Reserves an id for the cancelled job with its final record, as the dispatcher reserves one
// when it assigns a job: the name itself, or `stem~N.ext` when taken. A job that was requeued
// keeps its id and its attempts.
function reserve(paths: HomePaths, name: string, reason: string): JobRecord {
  const endedAt = new Date().toISOString();
  // A name too long to be an id (dropped by hand, cancelled before a dispatcher refused it)
  // gets one that fits.
  return reserveRecord(
    paths,
    idStem(name),
    1,
    (id) => ({...newRecord(id, name), state: 'failed', reason, endedAt, file: endedFile('failed', id)}),
    (existing) =>
      existing.name === name && existing.state === 'requeued' && existing.requeuedAs === name
        ? {
            ...existing,
            state: 'failed',
            reason,
            endedAt,
            requeuedAs: null,
            worker: null,
            host: null,
            file: endedFile('failed', existing.id),
          }
        : undefined,
  );
}
