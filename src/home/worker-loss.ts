// Why a worker is presumed lost, as a value, and the one formatter of the text that records
// carry for it in `reason` ("worker lost (…)": a protocol that users and `fjd status` read).
// The dispatcher finds workers lost; `recruiter fire` finds them dead.

export type WorkerLoss =
  // Its process is gone (a pid on this host that no longer runs).
  | {cause: 'process-gone'}
  // Its heartbeat has not changed for a whole lease.
  | {cause: 'no-heartbeat'; leaseMs: number};

// What happened to the worker, as a person would say it: "its process is gone".
export function describeLoss(loss: WorkerLoss): string {
  switch (loss.cause) {
    case 'process-gone':
      return 'its process is gone';
    case 'no-heartbeat':
      return `no heartbeat for ${Math.round(loss.leaseMs / 1000)} s`;
  }
}

// The reason a job's record gives when its worker was lost.
export function workerLostReason(loss: WorkerLoss): string {
  return `worker lost (${describeLoss(loss)})`;
}
