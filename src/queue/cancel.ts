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
// (src/worker/worker.ts) and removes.
import fs from 'node:fs';
import path from 'node:path';
import {setTimeout as delay} from 'node:timers/promises';
import type {HomePaths} from '../home/layout.js';
import {linkNoClobber, listDir, readJson, sameFile, unlinkIfPresent, writeFileAtomic} from '../home/atomic.js';
import {idStem, numberedName} from '../home/names.js';
import {workerDir} from '../home/transitions.js';
import {createRecord, newRecord, readRecord, writeRecord, type JobRecord} from '../job/record.js';
import {hostName} from '../worker/registry.js';
import {findJob} from '../status/find-job.js';
import {crashPoint} from '../util/crash-point.js';

export const CANCELLED = 'cancelled';
export const WORKER_CANCEL_PREFIX = 'cancel.';

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

function requestPath(paths: HomePaths, name: string): string {
  return path.join(paths.cancel, name);
}

// Asks the dispatcher (or whoever holds its lock) to withdraw jobqueue/NAME.
export function requestOpenCancel(paths: HomePaths, name: string): void {
  fs.mkdirSync(paths.cancel, {recursive: true, mode: 0o700});
  const request: CancelRequest = {name, requestedAt: new Date().toISOString(), by: `${hostName()}:${process.pid}`};
  writeFileAtomic(paths.tmp, requestPath(paths, name), `${JSON.stringify(request)}\n`);
}

// Asks the same for a job that cannot run, with the reason (the dispatcher itself, for a job
// whose dependency failed).
export function requestOpenFail(paths: HomePaths, name: string, reason: string): void {
  fs.mkdirSync(paths.cancel, {recursive: true, mode: 0o700});
  const request: CancelRequest = {name, requestedAt: new Date().toISOString(), by: `${hostName()}:${process.pid}`, reason};
  writeFileAtomic(paths.tmp, requestPath(paths, name), `${JSON.stringify(request)}\n`);
}

export function openCancelPending(paths: HomePaths, name: string): boolean {
  return fs.existsSync(requestPath(paths, name));
}

// Asks worker W to stop job ID (running or waiting in its pod) and fail it as cancelled.
export function requestWorkerCancel(paths: HomePaths, workerId: string, id: string): void {
  const body = JSON.stringify({id, requestedAt: new Date().toISOString(), by: `${hostName()}:${process.pid}`});
  writeFileAtomic(paths.tmp, workerCancelPath(paths, workerId, id), `${body}\n`);
}

export function workerCancelPath(paths: HomePaths, workerId: string, id: string): string {
  return path.join(workerDir(paths, workerId), `${WORKER_CANCEL_PREFIX}${id}`);
}

// Carries out every pending request to cancel an open job. Only the holder of the dispatcher
// lock may call this. Returns what it did, request by request.
export function carryOutOpenCancels(paths: HomePaths): CancelledOpenJob[] {
  const done: CancelledOpenJob[] = [];
  for (const name of listDir(paths.cancel)) {
    if (name.startsWith('.')) continue;
    done.push(cancelOpenJob(paths, name));
  }
  return done;
}

function cancelOpenJob(paths: HomePaths, name: string): CancelledOpenJob {
  const request = requestPath(paths, name);
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
    const noted: CancelRequest = {name, requestedAt: asked?.requestedAt ?? record.endedAt ?? '', by: asked?.by ?? '', id: record.id, reason};
    writeFileAtomic(paths.tmp, request, `${JSON.stringify(noted)}\n`);
    crashPoint('cancel:reserved');
  }
  const planned = path.join(paths.root, record.file ?? `failed/${record.id}`);
  if (fs.existsSync(source) && !sameFile(source, planned)) {
    const got = linkNoClobber(source, paths.failed, record.id);
    if (`failed/${got}` !== record.file) {
      record.file = `failed/${got}`;
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
  for (let n = 1; ; n++) {
    // A name too long to be an id (dropped by hand, cancelled before a dispatcher refused it)
    // gets one that fits.
    const id = numberedName(idStem(name), n);
    const fresh: JobRecord = {...newRecord(id, name), state: 'failed', reason, endedAt, file: `failed/${id}`};
    if (createRecord(paths, fresh)) return fresh;
    const existing = readRecord(paths, id);
    if (existing === undefined) {
      // A reservation cut short by a holder that died while writing it: void.
      writeRecord(paths, fresh);
      return fresh;
    }
    if (existing.name === name && existing.state === 'requeued' && existing.requeuedAs === name) {
      const record: JobRecord = {...existing, state: 'failed', reason, endedAt, requeuedAs: null, worker: null, host: null, file: `failed/${id}`};
      writeRecord(paths, record);
      return record;
    }
  }
}

// ---- what `fjd cancel` does -------------------------------------------------------------------

export type JobPlace =
  | {state: 'open'; name: string}
  | {state: 'assigned'; id: string; name: string; worker: string}
  | {state: 'finished' | 'failed'; id: string; name: string; reason: string | null; file: string}
  | {state: 'unknown'};

// Where the job `ref` (an id, the name it was queued under, or a path such as jobqueue/x) is
// now. A name queued several times means its newest job.
export function locateJob(paths: HomePaths, ref: string): JobPlace {
  const found = findJob(paths, ref);
  if (found === undefined) return {state: 'unknown'};
  switch (found.state) {
    case 'open':
      return {state: 'open', name: path.basename(found.file)};
    case 'assigned':
    case 'running':
      return found.worker === null || found.id === null
        ? {state: 'unknown'}
        : {state: 'assigned', id: found.id, name: found.name, worker: found.worker};
    case 'finished':
    case 'failed':
      return {state: found.state, id: found.id ?? found.name, name: found.name, reason: found.record?.reason ?? null, file: found.file};
  }
}

export type CancelOutcome =
  // Now in failed/ with reason "cancelled".
  | {ref: string; result: 'cancelled'; id: string; file: string; was: 'open' | 'assigned' | 'cancelled'; worker: string | null}
  // It had ended before the cancel took effect.
  | {ref: string; result: 'ended'; id: string; state: 'finished' | 'failed'; reason: string | null}
  | {ref: string; result: 'unknown'}
  // Asked, but not done within the wait: the request stays and takes effect later.
  | {ref: string; result: 'pending'; where: string};

export interface CancelOptions {
  paths: HomePaths;
  refs: string[];
  // How long to wait for workers and the dispatcher to carry the requests out.
  waitMs: number;
  // Takes the dispatcher lock if nobody holds it (so that open jobs can be withdrawn here);
  // resolves to a release function, or undefined when a dispatcher holds it.
  tryLock: () => Promise<(() => void) | undefined>;
}

interface Pending {
  ref: string;
  was: 'open' | 'assigned';
  worker: string | null;
}

export async function cancelJobs(options: CancelOptions): Promise<CancelOutcome[]> {
  const {paths} = options;
  const outcomes = new Map<string, CancelOutcome>();
  const pending = new Map<string, Pending>();
  for (const ref of options.refs) {
    if (outcomes.has(ref) || pending.has(ref)) continue;
    const place = locateJob(paths, ref);
    if (place.state === 'unknown') outcomes.set(ref, {ref, result: 'unknown'});
    else if (place.state === 'failed' && place.reason === CANCELLED) {
      outcomes.set(ref, {ref, result: 'cancelled', id: place.id, file: place.file, was: 'cancelled', worker: null});
    } else if (place.state === 'finished' || place.state === 'failed') {
      outcomes.set(ref, {ref, result: 'ended', id: place.id, state: place.state, reason: place.reason});
    } else {
      pending.set(ref, {ref, was: place.state, worker: place.state === 'assigned' ? place.worker : null});
      ask(paths, place);
    }
  }
  const deadline = performance.now() + options.waitMs;
  while (pending.size > 0) {
    // Open jobs have requests waiting: carry them out here unless a dispatcher holds the home.
    if (listDir(paths.cancel).some((name) => !name.startsWith('.'))) {
      const release = await options.tryLock();
      if (release !== undefined) {
        try {
          carryOutOpenCancels(paths);
        } finally {
          release();
        }
      }
    }
    for (const job of [...pending.values()]) {
      const place = locateJob(paths, job.ref);
      if (place.state === 'failed' && place.reason === CANCELLED) {
        outcomes.set(job.ref, {ref: job.ref, result: 'cancelled', id: place.id, file: place.file, was: job.was, worker: job.worker});
        pending.delete(job.ref);
      } else if (place.state === 'finished' || place.state === 'failed') {
        outcomes.set(job.ref, {ref: job.ref, result: 'ended', id: place.id, state: place.state, reason: place.reason});
        pending.delete(job.ref);
      } else if (place.state === 'unknown') {
        // Between two places for a moment (a worker moving it): look again.
      } else {
        if (place.state === 'assigned') job.worker = place.worker;
        ask(paths, place);
      }
    }
    if (pending.size === 0) break;
    if (performance.now() > deadline) {
      for (const job of pending.values()) {
        const place = locateJob(paths, job.ref);
        const where =
          place.state === 'assigned'
            ? `worker ${place.worker} has not acted on it yet (.fjd/workers/${place.worker}/${WORKER_CANCEL_PREFIX}${place.id})`
            : `a dispatcher holds the home and has not acted on it yet (.fjd/cancel/${job.ref})`;
        outcomes.set(job.ref, {ref: job.ref, result: 'pending', where});
      }
      break;
    }
    await delay(50);
  }
  return options.refs.filter((ref, i) => options.refs.indexOf(ref) === i).map((ref) => outcomes.get(ref) ?? {ref, result: 'unknown'});
}

// Writes the request for the job where it is now, unless it is there already.
function ask(paths: HomePaths, place: JobPlace): void {
  if (place.state === 'open') {
    if (!openCancelPending(paths, place.name)) requestOpenCancel(paths, place.name);
  } else if (place.state === 'assigned') {
    if (!fs.existsSync(workerCancelPath(paths, place.worker, place.id))) requestWorkerCancel(paths, place.worker, place.id);
  }
}
