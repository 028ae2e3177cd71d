// Processes as /proc shows them: which belong to a home or to the run, and what they cost
// (CPU time, resident and proportional memory, inotify instances). Every reader tolerates a
// process that ends while it is read.
import fs from 'node:fs';
import path from 'node:path';

const CLOCK_TICKS_PER_SECOND = 100;

function allPids() {
  return fs
    .readdirSync('/proc')
    .map(Number)
    .filter((pid) => Number.isInteger(pid) && pid !== process.pid);
}

const cmdlineOf = (pid) => {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return undefined;
  }
};

// The state letter of /proc/PID/stat (R, S, D, Z…), undefined when gone. PID 1 here does not
// reap orphans, so a process that has ended may stay a zombie: callers treat Z as gone.
function stateOf(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}

const alive = (pid) => {
  const state = stateOf(pid);
  return state !== undefined && state !== 'Z';
};

// Processes whose command line mentions `what` and `home`.
export function pidsOf(home, what) {
  return allPids().filter((pid) => {
    const argv = cmdlineOf(pid)?.join(' ');
    return argv !== undefined && argv.includes(what) && argv.includes(home);
  });
}

// fjd's own processes serving `home` (its workers, however many slots each holds, and its
// dispatcher): Node running a file of `repo`, with the home on its command line. Not the jobs,
// nor a recruiter that has returned.
export function fjdProcesses(home, repo) {
  return allPids().filter((pid) => {
    const argv = cmdlineOf(pid);
    if (argv === undefined || !alive(pid)) return false;
    return argv.some((a) => a.startsWith(`${repo}/`)) && argv.some((a) => a === home || a.startsWith(`${home}/`));
  });
}

// The live processes of a run rooted at `root`: those that name it on their command line, and
// those working in it.
export function liveProcessesUnder(root) {
  return allPids().filter((pid) => {
    if (!alive(pid)) return false;
    if (cmdlineOf(pid)?.some((a) => a.includes(root))) return true;
    try {
      const cwd = fs.readlinkSync(`/proc/${pid}/cwd`);
      return cwd === root || cwd.startsWith(`${root}/`);
    } catch {
      return false;
    }
  });
}

// CPU time a process has used, in ns, summed over its threads (schedstat counts every
// nanosecond; the tick counts in /proc/PID/stat are samples, too coarse for an idle process).
export const cpuNs = (pid) => {
  let total = 0;
  let tasks = [];
  try {
    tasks = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return 0;
  }
  for (const task of tasks) {
    try {
      total += Number(fs.readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // a thread that just ended
    }
  }
  return total;
};

// utime + stime of /proc/PID/stat, in ns: every thread's time, those that have ended too, in
// clock ticks (10 ms).
export const cpuTicksNs = (pid) => {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat(5), counted from the state (field 3) here.
    return ((Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND) * 1e9;
  } catch {
    return 0;
  }
};

// A line of /proc/PID/status in kB (VmRSS, VmHWM…), NaN when the process is gone.
export const statusKb = (pid, key) => {
  try {
    return Number(
      new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN,
    );
  } catch {
    return NaN;
  }
};

// From /proc/PID/smaps_rollup, in kB: PSS (each page it shares counted as its share of it,
// split among every process that maps it, other users' too) and USS (its private pages: what
// it alone costs). NaN each when the process is gone.
export const rollupKb = (pid) => {
  let text = '';
  try {
    text = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  } catch {
    return {pss: NaN, uss: NaN};
  }
  const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? NaN);
  return {pss: kb('Pss'), uss: kb('Private_Clean') + kb('Private_Dirty')};
};

// Resident memory of `pids` in MB, summed: RSS (each shared page counted in every process that
// maps it), PSS (split among the processes that map it) and USS (private pages only).
export function memoryOf(pids) {
  let rssKb = 0;
  let pss = 0;
  let uss = 0;
  for (const pid of pids) {
    rssKb += statusKb(pid, 'VmRSS') || 0;
    const rollup = rollupKb(pid);
    pss += rollup.pss || 0;
    uss += rollup.uss || 0;
  }
  return {rssMb: rssKb / 1024, pssMb: pss / 1024, ussMb: uss / 1024};
}

// How many inotify instances the process holds (its descriptors on anon_inode:inotify).
export function inotifyInstances(pid) {
  let count = 0;
  let fds = [];
  try {
    fds = fs.readdirSync(`/proc/${pid}/fd`);
  } catch {
    return 0;
  }
  for (const fd of fds) {
    try {
      if (fs.readlinkSync(path.join(`/proc/${pid}/fd`, fd)) === 'anon_inode:inotify') count++;
    } catch {
      // closed meanwhile
    }
  }
  return count;
}

export const threadsOf = (pid) => statusKb(pid, 'Threads');

// MemAvailable of /proc/meminfo, in MB.
export function availableMemoryMb() {
  return Number(/^MemAvailable:\s+(\d+)/m.exec(fs.readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? NaN) / 1024;
}
