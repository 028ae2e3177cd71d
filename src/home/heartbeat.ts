// The heartbeat between workers and dispatchers. A worker rewrites its heartbeat file every
// heartbeat interval (and records that interval in its info.json, as heartbeatMs); a
// dispatcher presumes it lost once the file has not changed for a lease. Timers drift, a busy
// host is late and a dispatcher looks only at its rescans, so a lease must span several
// heartbeats: a live worker is never presumed lost for a lease set too short.
export const DEFAULT_HEARTBEAT_MS = 5000;
export const HEARTBEATS_PER_LEASE = 3;

// The shortest lease that is safe for a worker that beats every `heartbeatMs`.
export function minimumLeaseMs(heartbeatMs: number): number {
  return HEARTBEATS_PER_LEASE * heartbeatMs;
}
