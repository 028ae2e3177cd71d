// Which workers a home has, whether each is alive, and what they are asked. A worker registers
// in .fjd/workers/W/info.json; a pid is only ever checked on the host that owns it, and is
// guarded against reuse by the process start time the worker recorded. A worker is fired by a
// request in its directory (`fire`, saying `now` or `drain`), which reaches it on every host.
import fs from 'node:fs';
import type {HomePaths} from './layout.js';
import {listDir, readJson, writeFileAtomic} from './atomic.js';
import {firePath, infoPath} from './paths.js';
import {hostName, processLiveness, type Liveness} from '../util/host.js';
import type {Capacity} from '../job/resources.js';

export interface WorkerInfo {
  fjd: 1;
  id: string;
  host: string;
  pid: number;
  // The kernel's start time of the process (clock ticks since boot), or null where unknown.
  procStart: string | null;
  startedAt: string;
  cwd: string;
  log: string | null;
  // How often the worker renews its heartbeat.
  heartbeatMs: number;
  // The Slurm job the worker runs in ($SLURM_JOB_ID), or null/absent outside Slurm.
  slurmJob?: string | null;
  // Why it looks for jobs on its timer alone, its watches having failed (the inotify limit),
  // or null/absent while it watches.
  polling?: string | null;
  // What the process offers its jobs: slots, cpus, memory, GPUs. Absent in the workers of an
  // earlier fjd (one job per process), which a dispatcher takes for one slot and one cpu.
  capacity?: Capacity;
}

// Notes in a worker's info.json that it polls, and why (a watch that failed after it registered).
export function notePolling(paths: HomePaths, workerId: string, reason: string): void {
  const info = readJson<WorkerInfo>(infoPath(paths, workerId));
  if (info === undefined || info.polling === reason) return;
  writeFileAtomic(paths.tmp, infoPath(paths, workerId), `${JSON.stringify({...info, polling: reason}, null, 2)}\n`);
}

// Whether a registered worker runs: checked by pid on its own host, 'unknown' elsewhere.
export function workerLiveness(info: WorkerInfo): Liveness {
  if (info.host !== hostName()) return 'unknown';
  return processLiveness(info.pid, info.procStart);
}

export interface RegisteredWorker {
  id: string;
  // undefined while the worker is still writing it, or when it is damaged.
  info: WorkerInfo | undefined;
}

export function listWorkers(paths: HomePaths): RegisteredWorker[] {
  return listDir(paths.workers)
    .filter((id) => !id.startsWith('.'))
    .sort()
    .map((id) => ({id, info: readJson<WorkerInfo>(infoPath(paths, id))}));
}

export type FireMode = 'now' | 'drain';

// Asks worker W to leave: after its job (drain), or at once, putting its job back (now).
export function requestFire(paths: HomePaths, workerId: string, mode: FireMode): void {
  writeFileAtomic(paths.tmp, firePath(paths, workerId), `${mode}\n`);
}

// Whether worker W has been asked to leave, and how; undefined when it has not.
export function readFireRequest(paths: HomePaths, workerId: string): FireMode | undefined {
  const file = firePath(paths, workerId);
  if (!fs.existsSync(file)) return undefined;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
  return text === 'now' ? 'now' : 'drain';
}
