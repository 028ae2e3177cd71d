// The gate: whether a job that has come first in line may go now, by its group's limit, its
// dependencies, and whether any worker known could run what it asks for. It returns a verdict
// and acts on nothing: it is pure over the state it is given (GateView), and the dispatcher
// does what the verdict says (hands the job out, holds it in held.ts, or fails it with the
// reason, whose text unrunnableReason makes).
import {dependencyKeys} from '../home/names.js';
import type {JobMeta} from '../home/job-meta.js';
import type {Request} from '../job/resources.js';

// Why a job fails without running, as a value.
export type Unrunnable =
  | {cause: 'dependency-failed'; dependency: string}
  | {cause: 'dependency-unknown'; dependency: string; waitedMs: number}
  | {cause: 'dependency-cycle'; cycle: string[]};

export type Verdict =
  | {kind: 'go'}
  // Its group is at its limit: it waits for a job of the group to leave.
  | {kind: 'hold'; by: 'limit'; group: string}
  // It waits for a dependency, by the name (key) an end of it is noted under.
  | {kind: 'hold'; by: 'dependency'; key: string}
  // It names a dependency nobody knows of yet, and has waited for it since `since`.
  | {kind: 'hold'; by: 'unknown'; since: number}
  // No worker known could run what it asks for, even idle (`reason`: how it falls short); it
  // waits for a worker that can to register.
  | {kind: 'hold'; by: 'unfittable'; request: Request; reason: string}
  | {kind: 'fail'; reason: Unrunnable};

export type HoldVerdict = Extract<Verdict, {kind: 'hold'}>;

// pending: a job of that name is open or handed out; else how the newest one ended, or unknown.
export type DependencyState = 'pending' | 'finished' | 'failed' | 'unknown';

// What the gate looks at: the dispatcher's state, read and never changed.
export interface GateView {
  // The limit of a group, if it has one, and how many of its jobs are handed out.
  limitOf(group: string): number | undefined;
  runningIn(group: string): number;
  // Whether a job of exactly this name is open (in jobqueue/), and the open jobs a key means.
  isOpen(name: string): boolean;
  namesFor(key: string): readonly string[];
  // Whether a job that `key` means is with a worker now.
  isHandedOut(key: string): boolean;
  // How the newest job noted under `key` ended.
  outcomeOf(key: string): 'finished' | 'failed' | undefined;
  // What an open job waits for (it is in line or held), for finding cycles.
  openMeta(name: string): JobMeta | undefined;
  // Since when (monotonic ms) the job has waited for a dependency nobody knows of, if it has.
  unknownSince(name: string): number | undefined;
  // How long a job waits for an unknown dependency before it fails.
  unknownGraceMs: number;
  // Why no worker known could ever run `request`, or undefined when one could.
  unfittable(request: Request): string | undefined;
}

const GO: Verdict = {kind: 'go'};

export function judge(meta: JobMeta, view: GateView, now: number): Verdict {
  if (meta.group !== undefined) {
    const limit = view.limitOf(meta.group);
    if (limit !== undefined && view.runningIn(meta.group) >= limit)
      return {kind: 'hold', by: 'limit', group: meta.group};
  }
  const waits = meta.after.length === 0 && meta.afterAny.length === 0 ? undefined : dependencies(meta, view, now);
  if (waits !== undefined) return waits;
  const {request} = meta;
  const reason = view.unfittable(request);
  return reason === undefined ? GO : {kind: 'hold', by: 'unfittable', request, reason};
}

// What the job's dependencies say: hold or fail, or undefined when it waits for none.
function dependencies(meta: JobMeta, view: GateView, now: number): Verdict | undefined {
  let waiting: string | undefined;
  for (let i = 0; i < meta.after.length + meta.afterAny.length; i++) {
    const anyEnding = i >= meta.after.length;
    const dep = (anyEnding ? meta.afterAny[i - meta.after.length] : meta.after[i]) ?? '';
    const state = dependencyState(dep, view);
    if (state === 'pending') waiting ??= dep;
    else if (state === 'unknown') {
      // It may be on its way: dropped a moment after this job, or on another host (seen at
      // a rescan). The job waits a while for it, then fails.
      const since = view.unknownSince(meta.name) ?? now;
      if (now - since < view.unknownGraceMs) return {kind: 'hold', by: 'unknown', since};
      return {kind: 'fail', reason: {cause: 'dependency-unknown', dependency: dep, waitedMs: view.unknownGraceMs}};
    } else if (state === 'failed' && !anyEnding)
      return {kind: 'fail', reason: {cause: 'dependency-failed', dependency: dep}};
  }
  if (waiting === undefined) return undefined;
  const cycle = cycleFrom(meta, view);
  if (cycle !== undefined) return {kind: 'fail', reason: {cause: 'dependency-cycle', cycle}};
  return {kind: 'hold', by: 'dependency', key: dependencyKeys(waiting).at(-1) ?? waiting};
}

export function dependencyState(dep: string, view: GateView): DependencyState {
  const key = dependencyKeys(dep).at(-1) ?? dep;
  // Named exactly as it waits in jobqueue/: no need to look through every name.
  if (view.isOpen(dep) || view.namesFor(key).length > 0 || view.isHandedOut(key)) return 'pending';
  return view.outcomeOf(key) ?? view.outcomeOf(dep) ?? 'unknown';
}

// A cycle of open jobs waiting for each other that leads back to this one, as names.
function cycleFrom(start: JobMeta, view: GateView): string[] | undefined {
  const metaOf = (dep: string): JobMeta | undefined => {
    for (const name of [dep, ...view.namesFor(dep)]) {
      const meta = view.openMeta(name) ?? (name === start.name ? start : undefined);
      if (meta !== undefined) return meta;
    }
    return undefined;
  };
  const path: string[] = [start.name];
  const seen = new Set<string>();
  const visit = (meta: JobMeta): boolean => {
    for (const dep of [...meta.after, ...meta.afterAny]) {
      const next = metaOf(dep);
      if (next === undefined) continue;
      if (next.name === start.name) {
        path.push(start.name);
        return true;
      }
      if (seen.has(next.name)) continue;
      seen.add(next.name);
      path.push(next.name);
      if (visit(next)) return true;
      path.pop();
    }
    return false;
  };
  return visit(start) ? path : undefined;
}

// The reason a job's record gives when it failed without running (text that users and
// `fjd status` read).
export function unrunnableReason(reason: Unrunnable): string {
  switch (reason.cause) {
    case 'dependency-failed':
      return `dependency ${reason.dependency} failed`;
    case 'dependency-unknown':
      return `dependency ${reason.dependency} is unknown: no job of that name is queued, running, done or failed (waited ${Math.round(reason.waitedMs / 1000)} s for it)`;
    case 'dependency-cycle':
      return `dependency cycle: ${reason.cycle.join(' → ')}`;
  }
}
