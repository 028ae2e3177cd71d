// Why an open job waits, for `fjd status JOB`: no dispatcher runs, a dependency has not ended,
// its group is at its limit (or has a limit of 0, which never lets it run), or no worker is
// free (none hired, all busy). Computed here from the home alone, the way the dispatcher
// decides: the limits in force are the `limits` file under the --limit flags that the running
// dispatcher publishes in its lock, and a group's jobs out are those in the workers' pods. So
// the dispatcher writes nothing more per job or per change, and `fjd status` reads the lock,
// the limits file, the pods and the one job file.
import fs from 'node:fs';
import path from 'node:path';
import type {HomePaths} from '../home/layout.js';
import {listDir} from '../home/atomic.js';
import {readJobMeta} from '../home/job-meta.js';
import {mergeLimits, readLimitsFile} from '../home/limits.js';
import {dispatcherHolder, type DispatcherHolder} from '../home/lock-file.js';
import {announcementPath, podDir} from '../home/paths.js';
import {listWorkers, workerLiveness} from '../home/registry.js';
import {waitsFor, type Dependency} from './waits-for.js';

export type WaitReason =
  // No dispatcher holds the home: nothing is handed out.
  | {kind: 'dispatcher'}
  // A job it needs has not ended (or is nowhere yet).
  | {kind: 'dependency'; name: string; state: 'open' | 'assigned' | 'unknown'; any: boolean}
  // Its group has `out` jobs in workers' pods, and may have no more than `limit`.
  | {kind: 'limit'; group: string; limit: number; out: number}
  // No worker is free: `workers` are registered and alive, `busy` of them hold jobs.
  | {kind: 'worker'; workers: number; busy: number};

export interface GroupLimit {
  group: string;
  limit: number;
  // Jobs of the group in workers' pods (assigned or running).
  out: number;
}

// The limits in force, each with how many of its group's jobs are out now.
export function groupLimits(
  paths: HomePaths,
  holder: DispatcherHolder | undefined = dispatcherHolder(paths),
): GroupLimit[] {
  const limits = mergeLimits(readLimitsFile(paths), holder?.limits);
  if (limits.size === 0) return [];
  const out = new Map<string, number>();
  for (const worker of listDir(paths.workers).filter((id) => !id.startsWith('.'))) {
    const pod = podDir(paths, worker);
    for (const id of listDir(pod).filter((name) => !name.startsWith('.'))) {
      const group = readJobMeta(pod, id)?.group;
      if (group !== undefined) out.set(group, (out.get(group) ?? 0) + 1);
    }
  }
  return [...limits]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([group, limit]) => ({group, limit, out: out.get(group) ?? 0}));
}

// What holds the open job whose file is `file` (in jobqueue/); empty when nothing does (it
// goes out at the next pairing). `deps` are its dependencies, when the caller has them.
export function whyWaiting(paths: HomePaths, file: string, deps: Dependency[] = waitsFor(paths, file)): WaitReason[] {
  const reasons: WaitReason[] = [];
  const holder = dispatcherHolder(paths);
  if (holder === undefined) reasons.push({kind: 'dispatcher'});
  for (const dep of deps) {
    if (dep.state === 'open' || dep.state === 'assigned' || dep.state === 'unknown')
      reasons.push({kind: 'dependency', name: dep.name, state: dep.state, any: dep.any});
  }
  const group = readJobMeta(path.dirname(file), path.basename(file))?.group;
  const limit = group === undefined ? undefined : groupLimits(paths, holder).find((g) => g.group === group);
  if (limit !== undefined && limit.out >= limit.limit) reasons.push({kind: 'limit', ...limit});
  // A free worker would not let it go while something else holds it, nor without a dispatcher.
  if (reasons.length === 0) {
    const workers = workerCounts(paths);
    if (workers.idle === 0) reasons.push({kind: 'worker', workers: workers.live, busy: workers.busy});
  }
  return reasons;
}

// The registered workers that are alive (or may be: on another host, or still starting), how
// many hold jobs, and how many have announced themselves with nothing to do.
function workerCounts(paths: HomePaths): {live: number; busy: number; idle: number} {
  const counts = {live: 0, busy: 0, idle: 0};
  for (const {id, info} of listWorkers(paths)) {
    if (info !== undefined && workerLiveness(info) === 'dead') continue;
    counts.live++;
    if (listDir(podDir(paths, id)).some((name) => !name.startsWith('.'))) counts.busy++;
    else if (fs.existsSync(announcementPath(paths, id))) counts.idle++;
  }
  return counts;
}
