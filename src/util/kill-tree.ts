// Stopping a job's whole process tree: every job runs in its own process group (its own
// session, in fact), so one signal to the group reaches whatever the job forked.

// Stops the group led by `pid`: TERM now, then KILL after `graceMs` if anything of it is left.
// Returns the KILL's timer, to clear once the job has ended; a second stop sends TERM again but
// keeps the first timer (`killTimer`).
export function stopGroup(pid: number, graceMs: number, killTimer?: NodeJS.Timeout): NodeJS.Timeout {
  signalGroup(pid, 'SIGTERM');
  return killTimer ?? setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMs);
}

// Sends `signal` to the process group led by `pid`; false if the group is already gone.
export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}
