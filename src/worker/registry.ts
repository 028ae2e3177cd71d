// Which workers a home has, and whether each is alive. A worker registers in
// .fjd/workers/W/info.json; a pid is only ever checked on the host that owns it, and is
// guarded against reuse by the process start time the worker recorded.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type {HomePaths} from '../home/layout.js';
import {listDir, readJson, writeFileAtomic} from '../home/atomic.js';

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
}

export function infoPath(paths: HomePaths, workerId: string): string {
  return path.join(paths.workers, workerId, 'info.json');
}

// Notes in a worker's info.json that it polls, and why (a watch that failed after it registered).
export function notePolling(paths: HomePaths, workerId: string, reason: string): void {
  const info = readJson<WorkerInfo>(infoPath(paths, workerId));
  if (info === undefined || info.polling === reason) return;
  writeFileAtomic(paths.tmp, infoPath(paths, workerId), `${JSON.stringify({...info, polling: reason}, null, 2)}\n`);
}

export function heartbeatPath(paths: HomePaths, workerId: string): string {
  return path.join(paths.workers, workerId, 'heartbeat');
}

export function firePath(paths: HomePaths, workerId: string): string {
  return path.join(paths.workers, workerId, 'fire');
}

// This machine's name as workers record it.
export function hostName(): string {
  return os.hostname();
}

// The state letter and start time of a process from /proc/PID/stat, or null where there is
// no such process (or no /proc).
function procStat(pid: number): {state: string; start: string} | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: fields resume after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return {state: rest[0] ?? '', start: rest[19] ?? ''};
  } catch {
    return null;
  }
}

// The start time of a process (clock ticks since boot), or null where that is not available.
export function processStartTime(pid: number): string | null {
  return procStat(pid)?.start ?? null;
}

export type Liveness = 'alive' | 'dead' | 'unknown';

// Whether the process `pid` that started at `procStart` still runs on this host. A zombie
// (dead, not yet reaped by its parent) is dead, and so is a reused pid.
export function processLiveness(pid: number, procStart: string | null): Liveness {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return 'dead';
  }
  const stat = procStat(pid);
  if (stat === null) return fs.existsSync('/proc/self/stat') ? 'dead' : 'alive';
  if (stat.state === 'Z' || stat.state === 'X') return 'dead';
  if (procStart !== null && stat.start !== procStart) return 'dead';
  return 'alive';
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
