// Counting a set of processes' filesystem operations with strace: attached to all of them and
// all their threads (`strace -f -c -p PID…`) for a while, then detached, its summary table read
// into counts by call. What counts as a metadata operation (each a round trip to the file
// server on NFS) is the list below: every call that names a path (looks it up), lists a
// directory, or reads or changes a file's attributes through a descriptor. Reads and writes of
// data are not in it (and cannot be told apart here from those on pipes and eventfds).
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import {setTimeout as delay} from 'node:timers/promises';

export const METADATA_CALLS = new Set([
  // by path
  'open',
  'openat',
  'openat2',
  'creat',
  'stat',
  'lstat',
  'newfstatat',
  'statx',
  'statfs',
  'access',
  'faccessat',
  'faccessat2',
  'readlink',
  'readlinkat',
  'rename',
  'renameat',
  'renameat2',
  'link',
  'linkat',
  'symlink',
  'symlinkat',
  'unlink',
  'unlinkat',
  'mkdir',
  'mkdirat',
  'mknod',
  'mknodat',
  'rmdir',
  'chmod',
  'fchmodat',
  'chown',
  'lchown',
  'fchownat',
  'utime',
  'utimes',
  'utimensat',
  'futimesat',
  'truncate',
  'chdir',
  'execve',
  'inotify_add_watch',
  // a directory's entries
  'getdents',
  'getdents64',
  // a file's attributes through a descriptor
  'fstat',
  'fstatfs',
  'fchmod',
  'fchown',
  'ftruncate',
  'fsync',
  'fdatasync',
]);

// The calls strace is asked to trace: those that take a path, and those on descriptors.
const TRACED = '%file,%desc';

// Parses the table of `strace -c` into {call: count}.
export function parseStraceSummary(text) {
  const calls = {};
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    // % time, seconds, usecs/call, calls, [errors,] syscall
    if (fields.length < 5 || !/^\d/.test(fields[0]) || fields.at(-1) === 'total') continue;
    const name = fields.at(-1);
    const count = Number(fields[3]);
    if (Number.isInteger(count)) calls[name] = (calls[name] ?? 0) + count;
  }
  return calls;
}

// The metadata operations among `calls`, in all and by call (most first).
export function metadataOf(calls) {
  const byCall = Object.entries(calls)
    .filter(([name]) => METADATA_CALLS.has(name))
    .sort((a, b) => b[1] - a[1]);
  return {total: byCall.reduce((sum, [, n]) => sum + n, 0), byCall: Object.fromEntries(byCall)};
}

function tracerOf(pid) {
  let tracers = [];
  try {
    tracers = fs.readdirSync(`/proc/${pid}/task`).map((task) => {
      try {
        return Number(/^TracerPid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/task/${task}/status`, 'utf8'))?.[1]);
      } catch {
        return -1;
      }
    });
  } catch {
    return [];
  }
  return tracers;
}

// Traces `pids` for `seconds` once every thread of theirs is attached. Returns {seconds,
// calls, metadata: {total, byCall}, perSecond} or {error} when strace cannot trace them here.
// `quietIsNone`: processes that may make no call at all in the window (an idle dispatcher
// between two rescans), for which an empty summary means none.
export async function countCalls(pids, seconds, outFile, {quietIsNone = false} = {}) {
  const args = [
    '-f',
    '-c',
    '-q',
    '-e',
    `trace=${TRACED}`,
    '-o',
    outFile,
    ...pids.flatMap((pid) => ['-p', String(pid)]),
  ];
  const strace = spawn('strace', args, {stdio: ['ignore', 'ignore', 'pipe']});
  let stderr = '';
  strace.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise((resolve) => strace.on('exit', (code, signal) => resolve({code, signal})));
  const attachedBy = Date.now() + 20_000;
  let ended;
  void exited.then((how) => (ended = how));
  while (!pids.every((pid) => tracerOf(pid).every((tracer) => tracer === strace.pid || tracer === -1))) {
    if (ended !== undefined || Date.now() > attachedBy) {
      strace.kill('SIGKILL');
      await exited;
      return {error: `strace could not attach to every process: ${stderr.trim() || 'timed out'}`};
    }
    await delay(20);
  }
  const t0 = performance.now();
  await delay(seconds * 1000);
  // SIGTERM: strace detaches from every process and writes its summary.
  strace.kill('SIGTERM');
  const measured = (performance.now() - t0) / 1000;
  await exited;
  const text = fs.existsSync(outFile) ? fs.readFileSync(outFile, 'utf8') : '';
  const calls = parseStraceSummary(text);
  // A Node process waits in epoll at least once a second: no call at all is a table not read.
  if (Object.keys(calls).length === 0 && !(quietIsNone && text.trim() === '')) {
    return {
      error: `strace's summary (${outFile}) has no calls in it: ${text.slice(0, 300) || stderr.trim() || 'empty'}`,
    };
  }
  const metadata = metadataOf(calls);
  return {seconds: measured, calls, metadata, perSecond: metadata.total / measured};
}
