// Why an open job waits, for `fjd status JOB`: no dispatcher runs, a dependency has not ended,
// its group is at its limit (or has a limit of 0, which never lets it run), no worker hired
// could ever run what it asks (cpus, memory, GPUs), no worker has that much free now, or no
// worker is free (none hired, all busy). Computed here from the home alone, the way the
// dispatcher decides: the limits in force are the `limits` file under the --limit flags that
// the running dispatcher publishes in its lock, a group's jobs out are those in the workers'
// pods, and a worker's free capacity is its info's capacity less what its running jobs hold
// (its note of them). So the dispatcher writes nothing more per job or per change, and
// `fjd status` reads the lock, the limits file, the workers' directories and the one job file.
import fs from 'node:fs';
import path from 'node:path';
import type {HomePaths} from '../home/layout.js';
import {listDir} from '../home/atomic.js';
import {readJobMeta} from '../home/job-meta.js';
import {mergeLimits, readLimitsFile} from '../home/limits.js';
import {dispatcherHolder, type DispatcherHolder} from '../home/lock-file.js';
import {announcementPath, podDir} from '../home/paths.js';
import {listWorkers, workerLiveness} from '../home/registry.js';
import {readRunningJobs} from '../home/current-job.js';
import {readRecord} from '../home/record.js';
import {DEFAULT_REQUEST, fits, unfittable, type Request} from '../job/resources.js';
import {waitsFor, type Dependency} from './waits-for.js';
import {workerSlots, type WorkerSlots} from './worker-slots.js';
import {notFreeNow} from './free-now.js';

export type WaitReason =
  // No dispatcher holds the home: nothing is handed out.
  | {kind: 'dispatcher'}
  // A job it needs has not ended (or is nowhere yet).
  | {kind: 'dependency'; name: string; state: 'open' | 'assigned' | 'unknown'; any: boolean}
  // Its group has `out` jobs in workers' pods, and may have no more than `limit`.
  | {kind: 'limit'; group: string; limit: number; out: number}
  // No worker hired could run it, even idle: `reason` says what it needs and the most offered.
  | {kind: 'unfittable'; request: Request; reason: string}
  // Some worker could, but none that takes jobs has that much free now: `reason` says which.
  | {kind: 'resources'; request: Request; reason: string}
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
  const meta = readJobMeta(path.dirname(file), path.basename(file));
  const group = meta?.group;
  const limit = group === undefined ? undefined : groupLimits(paths, holder).find((g) => g.group === group);
  if (limit !== undefined && limit.out >= limit.limit) reasons.push({kind: 'limit', ...limit});
  const workers = liveWorkers(paths);
  const request = meta?.request ?? DEFAULT_REQUEST;
  const capacities = workers.flatMap((w) => (w.slots.capacity === null ? [] : [w.slots.capacity]));
  const unfit = unfittable(request, capacities);
  if (unfit !== undefined) reasons.push({kind: 'unfittable', request, reason: unfit});
  // Room on a worker would not let it go while something else holds it, nor without a dispatcher.
  if (reasons.length === 0) {
    const frees = workers.flatMap((w) => (w.ready && w.slots.free !== null ? [w.slots.free] : []));
    if (frees.some((free) => fits(request, free))) return reasons;
    // With a slot free somewhere, it is short of cpus, memory or GPUs; else all are busy.
    const short = notFreeNow(
      request,
      frees.filter((free) => free.slots >= 1),
    );
    if (short !== undefined) reasons.push({kind: 'resources', request, reason: short});
    else reasons.push({kind: 'worker', workers: workers.length, busy: workers.filter((w) => w.holdsJobs).length});
  }
  return reasons;
}

interface LiveWorker {
  // Announced: it takes jobs.
  ready: boolean;
  holdsJobs: boolean;
  slots: WorkerSlots;
}

// The registered workers that are alive (or may be: on another host, or still starting), each
// with its slots, whether it holds jobs, and whether it takes jobs now.
function liveWorkers(paths: HomePaths): LiveWorker[] {
  const live: LiveWorker[] = [];
  for (const {id, info} of listWorkers(paths)) {
    if (info !== undefined && workerLiveness(info) === 'dead') continue;
    const held = listDir(podDir(paths, id)).filter((name) => !name.startsWith('.'));
    const slots = workerSlots({
      info,
      held,
      notes: readRunningJobs(paths, id),
      recorded: (job) => readRecord(paths, job)?.request,
      runningFor: () => null,
    });
    live.push({
      ready: info !== undefined && fs.existsSync(announcementPath(paths, id)),
      holdsJobs: held.length > 0,
      slots,
    });
  }
  return live;
}
