// Firing: asking this home's workers to leave, by a file in each worker's directory (which
// reaches workers on every host that mounts the home). By default a busy worker finishes its
// job first (drain); with `now` it stops the job's process group and puts the job back in
// jobqueue/, not counted as a failed attempt. Workers found dead are cleaned up on the spot.
// A worker is one process, however many slots it has: it drains all of its jobs.
import fs from 'node:fs';
import {ensureHome} from '../home/layout.js';
import {listDir} from '../home/atomic.js';
import {podDir, workerDir} from '../home/paths.js';
import {DEFAULT_MAX_ATTEMPTS, recoverLostWorker} from '../home/recover.js';
import {listWorkers, requestFire, workerLiveness, type WorkerInfo} from '../home/registry.js';
import {workerLostReason} from '../home/worker-loss.js';
import {hostName, processLiveness} from '../util/host.js';
import {waitFor} from '../util/wait.js';

export interface FireOptions {
  home: string;
  groupShared?: boolean;
  now: boolean;
  // Also wait for busy workers to finish their jobs (drain only; `now` always waits).
  wait: boolean;
  timeoutMs?: number;
  // Fire only these workers (the ones a command hired itself); default: all of the home's.
  only?: string[];
  // Workers told to stop now even without `now` (those of a Slurm job about to be cancelled).
  nowFor?: (info: WorkerInfo) => boolean;
}

export interface FireResult {
  // Workers that have left.
  stopped: string[];
  // Busy workers that will leave after their jobs (drain without wait).
  draining: {id: string; jobs: string[]}[];
  // Workers found dead, with the jobs put back in jobqueue/.
  lost: {id: string; requeued: string[]}[];
  // Workers that did not leave in time.
  remaining: string[];
  // The host of each worker above, as it registered (null where unknown).
  hosts: Record<string, string | null>;
  // The slots of each worker above, as it registered (1 for one of an earlier fjd, or unknown).
  slots: Record<string, number>;
}

export async function fireWorkers(options: FireOptions): Promise<FireResult> {
  const paths = ensureHome(options.home, {groupShared: options.groupShared === true});
  const result: FireResult = {stopped: [], draining: [], lost: [], remaining: [], hosts: {}, slots: {}};
  // A worker found dead: its jobs go back to jobqueue/, its directory is removed.
  const recover = (id: string): void => {
    const recovery = recoverLostWorker(paths, id, {
      reason: workerLostReason({cause: 'process-gone'}),
      maxAttempts: DEFAULT_MAX_ATTEMPTS,
      groupShared: options.groupShared === true,
    });
    result.lost.push({id, requeued: recovery.requeued});
  };
  const waitingFor = new Set<string>();
  const infos = new Map<string, WorkerInfo>();
  for (const {id, info} of listWorkers(paths)) {
    if (options.only !== undefined && !options.only.includes(id)) continue;
    if (info !== undefined) infos.set(id, info);
    result.hosts[id] = info?.host ?? null;
    result.slots[id] = info?.capacity?.slots ?? 1;
    if (info !== undefined && workerLiveness(info) === 'dead') {
      recover(id);
      continue;
    }
    const now = options.now || (info !== undefined && options.nowFor?.(info) === true);
    try {
      requestFire(paths, id, now ? 'now' : 'drain');
    } catch {
      // The worker left while we looked.
      continue;
    }
    const jobs = listDir(podDir(paths, id)).filter((name) => !name.startsWith('.'));
    if (jobs.length > 0 && !now && !options.wait) result.draining.push({id, jobs});
    else waitingFor.add(id);
  }
  // Gone: its directory removed, and on this host its process ended too. A worker that died
  // on its way out (its directory still there) is cleaned up as a lost one. A worker of
  // another host is gone when its directory is: its pid means nothing here, and a worker
  // whose host froze or vanished stays until a dispatcher's lease finds it lost.
  const gone = (id: string): boolean => {
    const info = infos.get(id);
    const dead = info !== undefined && info.host === hostName() && processLiveness(info.pid, info.procStart) === 'dead';
    if (fs.existsSync(workerDir(paths, id))) {
      if (!dead) return false;
      recover(id);
      waitingFor.delete(id);
      return true;
    }
    return info === undefined || workerLiveness(info) !== 'alive' || dead;
  };
  try {
    await waitFor(
      () => [...waitingFor].every(gone),
      options.timeoutMs ?? 60000,
      () => `${[...waitingFor].filter((id) => !gone(id)).length} workers have not left`,
      25,
    );
  } catch {
    // reported below
  }
  for (const id of waitingFor) (gone(id) ? result.stopped : result.remaining).push(id);
  return result;
}
