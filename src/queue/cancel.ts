// `fjd cancel`: where each job is now, the request that cancels it there (an open job's to the
// holder of the dispatcher lock, which this command may be itself; a job in a pod's to its
// worker), and waiting until each has taken effect. The requests, and carrying out those for
// open jobs, are the protocol's: src/home/cancel-requests.ts says how they work.
import fs from 'node:fs';
import path from 'node:path';
import {setTimeout as delay} from 'node:timers/promises';
import {relativeToHome, type HomePaths} from '../home/layout.js';
import {listDir} from '../home/atomic.js';
import {
  CANCELLED,
  carryOutOpenCancels,
  openCancelPending,
  requestOpenCancel,
  requestWorkerCancel,
} from '../home/cancel-requests.js';
import {findJob} from '../home/find-job.js';
import {openCancelPath, workerCancelPath} from '../home/paths.js';

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
      return {
        state: found.state,
        id: found.id ?? found.name,
        name: found.name,
        reason: found.record?.reason ?? null,
        file: found.file,
      };
  }
}

export type CancelOutcome =
  // Now in failed/ with reason "cancelled".
  | {
      ref: string;
      result: 'cancelled';
      id: string;
      file: string;
      was: 'open' | 'assigned' | 'cancelled';
      worker: string | null;
    }
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
  // Open jobs are asked for first: a running job stopped by this cancel frees its worker,
  // which must not be handed an open job that this same cancel withdraws.
  const running: JobPlace[] = [];
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
      if (place.state === 'assigned') running.push(place);
      else ask(paths, place);
    }
  }
  for (const place of running) ask(paths, place);
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
        outcomes.set(job.ref, {
          ref: job.ref,
          result: 'cancelled',
          id: place.id,
          file: place.file,
          was: job.was,
          worker: job.worker,
        });
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
            ? `worker ${place.worker} has not acted on it yet (${relativeToHome(paths, workerCancelPath(paths, place.worker, place.id))})`
            : `a dispatcher holds the home and has not acted on it yet (${relativeToHome(paths, openCancelPath(paths, job.ref))})`;
        outcomes.set(job.ref, {ref: job.ref, result: 'pending', where});
      }
      break;
    }
    await delay(50);
  }
  return options.refs
    .filter((ref, i) => options.refs.indexOf(ref) === i)
    .map((ref) => outcomes.get(ref) ?? {ref, result: 'unknown'});
}

// Writes the request for the job where it is now, unless it is there already.
function ask(paths: HomePaths, place: JobPlace): void {
  if (place.state === 'open') {
    if (!openCancelPending(paths, place.name)) requestOpenCancel(paths, place.name);
  } else if (place.state === 'assigned') {
    if (!fs.existsSync(workerCancelPath(paths, place.worker, place.id)))
      requestWorkerCancel(paths, place.worker, place.id);
  }
}
