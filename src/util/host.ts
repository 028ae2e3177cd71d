// This machine: its name as fjd records it, and whether a process on it still runs. A pid is
// only ever checked on the host that owns it, and guarded against reuse by the process start
// time recorded with it.
import fs from 'node:fs';
import os from 'node:os';

// This machine's name as workers, locks and requests record it.
export function hostName(): string {
  return os.hostname();
}

// The state letter and start time of a process from /proc/PID/stat, or null where there is
// no such process (or no /proc).
function procStat(pid: number): {state: string; start: string} | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: fields resume after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return {state: rest[0] ?? '', start: rest[19] ?? ''};
  } catch {
    return null;
  }
}

// The start time of a process (clock ticks since boot), or null where that is not available.
export function processStartTime(pid: number): string | null {
  return procStat(pid)?.start ?? null;
}

export type Liveness = 'alive' | 'dead' | 'unknown';

// Whether the process `pid` that started at `procStart` still runs on this host. A zombie
// (dead, not yet reaped by its parent) is dead, and so is a reused pid.
export function processLiveness(pid: number, procStart: string | null): Liveness {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return 'dead';
  }
  const stat = procStat(pid);
  if (stat === null) return fs.existsSync('/proc/self/stat') ? 'dead' : 'alive';
  if (stat.state === 'Z' || stat.state === 'X') return 'dead';
  if (procStart !== null && stat.start !== procStart) return 'dead';
  return 'alive';
}
