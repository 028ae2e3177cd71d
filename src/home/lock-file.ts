// The dispatcher lock's file, .fjd/dispatcher.lock: what it holds (its owner, a beat, and what
// `fjd status` learns of the dispatcher from it), and reading it. Taking, renewing and taking
// over the lock is src/dispatcher/lock.ts.
import type {HomePaths} from './layout.js';
import {readJson, readJsonAfresh} from './atomic.js';
import {lockPath} from './paths.js';
import {hostName, processLiveness} from '../util/host.js';

export interface LockContent {
  token: string;
  host: string;
  pid: number;
  procStart: string | null;
  startedAt: string;
  beat: number;
  // The group limits of its --limit flags, which live nowhere else: `fjd status` reads them
  // to tell why a job is held (absent in the locks of older versions and of `fjd cancel`).
  limits?: Record<string, number>;
  // Why this dispatcher rescans instead of being told of changes (its watches failed), for
  // `fjd status`; absent while it watches.
  polling?: string;
}

// Who holds the lock, as `fjd status` tells it.
export interface DispatcherHolder {
  host: string;
  pid: number;
  startedAt: string;
  limits: Map<string, number>;
  // Why it polls (see LockContent), or null while it watches.
  polling: string | null;
}

// The lock's content; read once more through a new name when it reads cut short, as a file
// replaced on another host can on a mount without close-to-open consistency.
export function readLock(paths: HomePaths): LockContent | undefined {
  const file = lockPath(paths);
  return readJson<LockContent>(file) ?? readJsonAfresh<LockContent>(paths.tmp, file);
}

// The dispatcher that holds the lock, unless there is none or it is dead (on this host; one on
// another host is taken as alive). Only reads: no scratch link, as readLock may make.
export function dispatcherHolder(paths: HomePaths): DispatcherHolder | undefined {
  const holder = readJson<LockContent>(lockPath(paths));
  if (holder === undefined || typeof holder.pid !== 'number') return undefined;
  if (holder.host === hostName() && processLiveness(holder.pid, holder.procStart) === 'dead') return undefined;
  const limits = new Map(
    Object.entries(holder.limits ?? {}).filter((entry): entry is [string, number] => Number.isInteger(entry[1])),
  );
  return {
    host: holder.host,
    pid: holder.pid,
    startedAt: holder.startedAt,
    limits,
    polling: typeof holder.polling === 'string' ? holder.polling : null,
  };
}
