// How long the dispatcher waits for a worker's heartbeat to change before it presumes the
// worker lost. A lease shorter than three heartbeats is refused at start (leaseRefusal); a
// worker that records a longer heartbeat than that allows gets a lease of three of its own
// heartbeats instead, and the dispatcher says so once per such heartbeat (WorkerLeases).
import {FjdError} from '../errors.js';
import {DEFAULT_HEARTBEAT_MS, HEARTBEATS_PER_LEASE, minimumLeaseMs} from '../home/heartbeat.js';
import {formatDuration} from '../util/duration.js';

// Why `leaseMs` is too short for workers that beat every `heartbeatMs`, or undefined if it is not.
export function leaseRefusal(leaseMs: number, heartbeatMs = DEFAULT_HEARTBEAT_MS): FjdError | undefined {
  const minimum = minimumLeaseMs(heartbeatMs);
  if (leaseMs >= minimum) return undefined;
  const given = heartbeatMs === DEFAULT_HEARTBEAT_MS ? 'the default heartbeat' : 'a heartbeat';
  // A heartbeat short enough for the lease asked for (in tenths of a second where it can be).
  const third = Math.floor(leaseMs / HEARTBEATS_PER_LEASE);
  const beat = formatDuration(third >= 100 ? Math.floor(third / 100) * 100 : third);
  const lease = formatDuration(leaseMs);
  const shorter =
    third < 1
      ? ''
      : `; or, for a lease of ${lease}, hire the workers with a heartbeat of ${beat} (recruiter hire --heartbeat ${beat}) and tell the dispatcher: --heartbeat ${beat} --lease ${lease}`;
  return new FjdError(
    'USAGE',
    `--lease ${lease} is shorter than ${HEARTBEATS_PER_LEASE} heartbeats of the workers (${given} of ${formatDuration(heartbeatMs)}, so at least ${formatDuration(minimum)}): live workers would be presumed lost`,
    {hint: `Give --lease ${formatDuration(minimum)} or more${shorter}.`},
  );
}

// The lease of each worker: the dispatcher's, or three of the worker's own heartbeats where
// that is longer.
export class WorkerLeases {
  private readonly told = new Set<number>();

  constructor(
    private readonly leaseMs: number,
    private readonly warn: (message: string) => void,
  ) {}

  // The lease of worker `id`, whose info.json records `heartbeatMs` (undefined: not read yet).
  of(id: string, heartbeatMs: number | undefined): number {
    if (heartbeatMs === undefined || !Number.isFinite(heartbeatMs) || heartbeatMs <= 0) return this.leaseMs;
    const needed = minimumLeaseMs(heartbeatMs);
    if (needed <= this.leaseMs) return this.leaseMs;
    if (!this.told.has(heartbeatMs)) {
      this.told.add(heartbeatMs);
      this.warn(
        `worker ${id} renews its heartbeat every ${formatDuration(heartbeatMs)}: it (and any worker with that heartbeat) is presumed lost only after ${formatDuration(needed)} without one (${HEARTBEATS_PER_LEASE} heartbeats), not after the lease of ${formatDuration(this.leaseMs)}`,
      );
    }
    return needed;
  }
}
