// What the dispatcher does about workers that are gone (pool.ts: lossOf). One that left in good
// order (fired) is forgotten; one that is lost has its jobs recovered (home/recover.ts): back
// to jobqueue/, or to failed/ once they have lost too many workers. The jobs it ended before
// it went are counted as ended first.
import fs from 'node:fs';
import type {HomePaths} from '../home/layout.js';
import {isHomeProblem, type HomeGuard} from '../home/directories.js';
import {workerDir} from '../home/paths.js';
import {recoverLostWorker} from '../home/recover.js';
import {workerLostReason} from '../home/worker-loss.js';
import {describeError, errnoCode} from '../errors.js';
import {isRetryableMoveError} from '../util/transient.js';
import type {Ends} from './ends.js';
import type {DispatcherEvent} from './events.js';
import type {WorkerPool} from './pool.js';

export interface LostWorkerParts {
  paths: HomePaths;
  pool: WorkerPool;
  ends: Ends;
  homeGuard: HomeGuard;
  maxAttempts: number;
  groupShared: boolean;
  emit(event: DispatcherEvent): void;
  // The filesystem refused for now: pause, saying why.
  pause(why: string): void;
  // Jobs went back to jobqueue/: list it.
  requeued(): void;
}

// Finds the workers that are gone, and does what each needs.
export function checkWorkers(parts: LostWorkerParts): void {
  const {paths, pool, ends, homeGuard} = parts;
  pool.register();
  const now = performance.now();
  for (const worker of [...pool.all()]) {
    const loss = pool.lossOf(worker, now);
    if (loss === undefined) continue;
    // Read the records first: jobs that ended before the worker died are counted as such.
    ends.settleAll(worker);
    if (!fs.existsSync(workerDir(paths, worker.id))) {
      // It left in good order (fired); nothing to recover.
      pool.forget(worker);
      parts.emit({type: 'worker-left', worker: worker.id});
      continue;
    }
    let recovery;
    try {
      homeGuard.assertSafe();
      recovery = recoverLostWorker(paths, worker.id, {
        reason: workerLostReason(loss),
        maxAttempts: parts.maxAttempts,
        groupShared: parts.groupShared,
      });
    } catch (error) {
      // The home, or this worker's directory, is not one to move files through now: the
      // worker is left alone (told once) and looked at again at the next rescan. Trouble
      // that passes (permissions changed for a moment, a full disk) leaves the recovery half
      // done, as a crash would: the next rescan finishes it.
      if (isHomeProblem(error)) homeGuard.refused(error);
      else if (isRetryableMoveError(errnoCode(error)))
        parts.pause(`cannot recover the jobs of worker ${worker.id} now (${describeError(error)})`);
      else throw error;
      continue;
    }
    ends.settleAll(worker);
    pool.forget(worker);
    parts.emit({type: 'worker-lost', worker: worker.id, loss, requeued: recovery.requeued, failed: recovery.failed});
    parts.requeued();
  }
}
