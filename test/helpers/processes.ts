// Finding and ending the processes a test started: every fjd process runs with its home in
// its arguments or environment, so a home's processes are found by looking through /proc.
import fs from 'node:fs';

export interface FoundProcess {
  pid: number;
  command: string;
}

// Processes whose command line mentions `needle`, or whose FJD_HOME lies below it.
export function processesMentioning(needle: string): FoundProcess[] {
  const found: FoundProcess[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    let command = '';
    let environ = '';
    try {
      command = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      environ = fs.readFileSync(`/proc/${pid}/environ`, 'utf8');
    } catch {
      continue;
    }
    if (command.includes(needle) || environ.includes(`FJD_HOME=${needle}`)) found.push({pid, command: command.trim()});
  }
  return found;
}

// Kills every process mentioning `needle`, with its process group; returns what it found.
export function killMentioning(needle: string): FoundProcess[] {
  const found = processesMentioning(needle);
  for (const {pid} of found) {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  return found;
}

// Whether a process runs (a zombie, dead but not yet reaped, does not).
export function isRunning(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

// Sends `signal` to a process (a pid) or a process group (minus its leader's pid), and says
// whether it was delivered (a zombie takes it too). A process that has ended meanwhile is no error: tests signal
// processes that may end on their own at any moment (a job that finishes, a worker that
// leaves). A pid of 0 or ±1 (which would reach the test's own group, or every process) is
// refused, so that a worker not found never signals the test runner.
export function signalIfAlive(target: number | null | undefined, signal: NodeJS.Signals): boolean {
  if (typeof target !== 'number' || !Number.isInteger(target) || Math.abs(target) <= 1) {
    throw new Error(`refusing to send ${signal} to pid ${String(target)}: not one process or process group`);
  }
  try {
    process.kill(target, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}
