// Stopping a job's whole process tree: every job runs in its own process group (its own
// session, in fact), so one signal to the group reaches whatever the job forked.

// Sends `signal` to the process group led by `pid`; false if the group is already gone.
export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}
