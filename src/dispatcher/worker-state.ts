// What the dispatcher knows of one worker of the home (pool.ts keeps them): whether it takes
// jobs now, what it offers and has free, the jobs handed to it, and what tells whether it is
// alive (its pid on this host, its heartbeat and lease).
import {freeOf, type Capacity, type Free} from '../job/resources.js';
import {EARLIER_CAPACITY} from './packing.js';

export interface WorkerState {
  id: string;
  // Its announcement is there: it may be given jobs; and whether it ever was.
  ready: boolean;
  wasReady: boolean;
  // What it offers, and what of that the jobs handed to it leave free (below zero: it holds
  // a job in advance).
  capacity: Capacity;
  free: Free;
  // How long its last job took, which decides whether it gets a second one in advance.
  lastDurationMs: number | undefined;
  // Job ids given to this worker and not yet seen to end, with their names.
  inflight: Map<string, string>;
  host: string | undefined;
  pid: number | undefined;
  procStart: string | null;
  // The last heartbeat content seen, and when it last changed (our monotonic clock).
  beat: string | undefined;
  beatChangedAt: number;
  // How long its heartbeat may stay unchanged (lease.ts).
  leaseMs: number;
  // It sees a job handed to it at once (a watch on this host); false: only when it next
  // looks at its pod (another host, or no inotify: up to a heartbeat later when idle).
  seesAtOnce: boolean;
  // Its info.json has been read (a worker writes it before it announces itself; it may be
  // found registering, before that).
  infoRead: boolean;
}

// A worker just found registered, before its info.json is read: as a worker of an earlier fjd
// (one slot, one cpu), ready once its announcement is seen.
export function newWorkerState(id: string): WorkerState {
  return {
    id,
    ready: false,
    wasReady: false,
    capacity: EARLIER_CAPACITY,
    free: freeOf(EARLIER_CAPACITY),
    lastDurationMs: undefined,
    inflight: new Map(),
    host: undefined,
    pid: undefined,
    procStart: null,
    beat: undefined,
    beatChangedAt: performance.now(),
    leaseMs: 0,
    seesAtOnce: false,
    infoRead: false,
  };
}
