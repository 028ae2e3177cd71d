// Which files of one directory a process on this host holds open for writing, as Linux shows
// it in /proc: /proc/PID/fd/N is a link to each file the process has open, and the `flags:`
// line of /proc/PID/fdinfo/N says how it was opened (O_WRONLY or O_RDWR: for writing). Only
// processes this user may inspect are seen (all of them for root); processes on other hosts
// never are. One look costs a listing of /proc, one of each visible process's fd/ and a
// readlink per open file (5 ms for 96 processes and 717 open files on a 2-core machine, 60 ms
// for 141 and 1,171 with the machine loaded); fdinfo is read only for files in the directory
// asked about.
import fs from 'node:fs';

export interface Writer {
  pid: number;
  // The process's name (/proc/PID/comm), for messages.
  command: string;
}

const ACCESS_MODE = 0o3;
const READ_ONLY = 0o0;

// The names in `dir` (a real path: no symbolic link in it, as the kernel shows paths) that
// some process holds open for writing, with one such process each; undefined where there is
// no /proc to look in (not Linux).
export function writersIn(dir: string): Map<string, Writer> | undefined {
  let pids: string[];
  try {
    pids = fs.readdirSync('/proc');
  } catch {
    return undefined;
  }
  if (!fs.existsSync(`/proc/${process.pid}/fd`)) return undefined;
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  const found = new Map<string, Writer>();
  for (const pid of pids) {
    const first = pid.charCodeAt(0);
    if (first < 48 || first > 57) continue;
    let fds: string[];
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      // gone, or another user's
      continue;
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      if (!target.startsWith(prefix)) continue;
      const name = target.slice(prefix.length);
      if (name.includes('/') || found.has(name) || !openForWriting(pid, fd)) continue;
      found.set(name, {pid: Number(pid), command: commandOf(pid)});
    }
  }
  return found;
}

function openForWriting(pid: string, fd: string): boolean {
  try {
    const flags = /^flags:\s*([0-7]+)/m.exec(fs.readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'latin1'))?.[1];
    return flags !== undefined && (parseInt(flags, 8) & ACCESS_MODE) !== READ_ONLY;
  } catch {
    // closed meanwhile
    return false;
  }
}

function commandOf(pid: string): string {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return 'a process that has ended';
  }
}
