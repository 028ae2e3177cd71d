// Round trips: the filesystem metadata operations the dispatcher and a worker make per job, by
// call, counted with strace. On NFS each of them is a round trip to the file server; the count
// is stable on a noisy machine, unlike a timing, so a test may assert a ceiling on it.
//
//   npm run bench -- --round-trips            500 trivial jobs, one worker of 2 slots
//   npm run bench -- --round-trips --jobs=N   N jobs
//
// The dispatcher and the worker run under `strace -f`; the jobs are their child processes,
// left out: a Node process is the traced command's first process and the threads it clones
// (CLONE_THREAD), and the worker's job starter (src/run/job-starter.ts: the process that
// execs Python as `fjd-job-starter`), which opens each job's output files; anything else they
// clone without CLONE_THREAD is a job (or a job's hook), and so is everything that one starts. Only the calls that name a path in the home, or an fd open on
// one (strace -y), are counted: the shared filesystem's operations, not Node's own start.
import {spawn, spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {setTimeout as delay} from 'node:timers/promises';

// What is traced: every call that takes a path, the directory listings, and the process calls
// that tell threads from child processes.
const TRACED = '%file,getdents64,clone,clone3,fork,vfork';
// The name a call is counted under.
const KIND = {
  open: 'open',
  openat: 'open',
  openat2: 'open',
  creat: 'open',
  stat: 'stat',
  lstat: 'stat',
  newfstatat: 'stat',
  fstatat64: 'stat',
  statx: 'stat',
  access: 'access',
  faccessat: 'access',
  faccessat2: 'access',
  rename: 'rename',
  renameat: 'rename',
  renameat2: 'rename',
  link: 'link',
  linkat: 'link',
  unlink: 'unlink',
  unlinkat: 'unlink',
  rmdir: 'rmdir',
  mkdir: 'mkdir',
  mkdirat: 'mkdir',
  getdents64: 'getdents64',
  readlink: 'readlink',
  readlinkat: 'readlink',
  symlink: 'symlink',
  symlinkat: 'symlink',
  utimensat: 'utime',
  utimes: 'utime',
  chmod: 'chmod',
  fchmodat: 'chmod',
  truncate: 'truncate',
  inotify_add_watch: 'watch',
};
const PROCESS_CALLS = new Set(['clone', 'clone3', 'fork', 'vfork']);

// Whether strace can trace a child here (it cannot where ptrace is not allowed, as in some
// containers): undefined if it can, else why not.
export function straceUnavailable() {
  const result = spawnSync('strace', ['-f', '-qq', '-o', '/dev/null', '--', 'true'], {encoding: 'utf8'});
  if (result.error !== undefined) return `strace is not installed (${result.error.message})`;
  if (result.status !== 0) return `strace cannot trace here: ${result.stderr.trim()}`;
  return undefined;
}

// Installs strace with apt-get when it is missing; says so on `log`.
export function ensureStrace(log) {
  if (spawnSync('strace', ['-V']).error === undefined) return;
  log('strace is missing: installing it with apt-get install -y strace');
  spawnSync('apt-get', ['install', '-y', 'strace'], {stdio: 'ignore'});
}

// Starts `command` under strace -f, its calls written to `output`.
function traced(output, command, args, options) {
  const strace = ['-f', '-qq', '-y', '-s', '4096', '-e', `trace=${TRACED}`, '-o', output, '--'];
  return spawn('strace', [...strace, command, ...args], options);
}

function exited(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

async function waitFor(condition, timeoutMs, what) {
  const started = performance.now();
  while (!condition()) {
    if (performance.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await delay(20);
  }
}

// Counts the metadata calls of a strace -f -y output on `home`, by kind, made by the traced
// command's Node process (its first process and its threads) and its job starter, not by the
// jobs.
export function countCalls(text, home) {
  const lines = text.split('\n');
  const pending = new Map();
  const calls = [];
  for (const line of lines) {
    const match = /^(\d+) +(.*)$/.exec(line);
    if (match === null) continue;
    const pid = Number(match[1]);
    let rest = match[2];
    const resumed = /^<\.\.\. \w+ resumed>(.*)$/.exec(rest);
    if (resumed !== null) {
      rest = (pending.get(pid) ?? '') + resumed[1];
      pending.delete(pid);
    } else if (rest.endsWith('<unfinished ...>')) {
      pending.set(pid, rest.slice(0, -'<unfinished ...>'.length));
      continue;
    }
    const call = /^(\w+)\((.*)$/.exec(rest);
    if (call !== null) calls.push({pid, name: call[1], text: call[2]});
  }
  // Which process cloned each pid, and whether as a thread; then the Node process's pids are
  // the first one and the threads of a Node pid, whatever order strace printed them in.
  const parents = new Map();
  for (const {pid, name, text} of calls) {
    if (!PROCESS_CALLS.has(name)) continue;
    const child = Number(/= (\d+)(?: <[^>]*>)?$/.exec(text)?.[1]);
    if (Number.isInteger(child))
      parents.set(child, {pid, thread: name.startsWith('clone') && text.includes('CLONE_THREAD')});
  }
  const root = calls[0]?.pid;
  const starters = new Set(
    calls.filter(({name, text}) => name === 'execve' && text.includes('"fjd-job-starter"')).map(({pid}) => pid),
  );
  const isNode = (pid) => {
    for (let at = pid, hops = 0; hops < 1_000_000; hops++) {
      if (at === root || starters.has(at)) return true;
      const parent = parents.get(at);
      if (parent === undefined || !parent.thread) return false;
      at = parent.pid;
    }
    return false;
  };
  const counts = {};
  // A path in the home, or an fd open on one; not the working directory that strace -y shows
  // beside AT_FDCWD, which is the home itself.
  const inHome = (text) => {
    const plain = text.replaceAll(/AT_FDCWD<[^>]*>/g, 'AT_FDCWD');
    return plain.includes(`"${home}/`) || plain.includes(`<${home}/`) || plain.includes(`<${home}>`);
  };
  for (const {pid, name, text} of calls) {
    if (!isNode(pid)) continue;
    const kind = KIND[name];
    if (kind === undefined || !inHome(text)) continue;
    // stat of an open fd (AT_EMPTY_PATH): no lookup, but on NFS still a GETATTR when the
    // attribute cache has expired; counted on its own.
    const counted = kind === 'stat' && text.includes('AT_EMPTY_PATH') ? 'fstat' : kind;
    counts[counted] = (counts[counted] ?? 0) + 1;
  }
  return counts;
}

// Runs `jobs` trivial jobs (`true`) with one worker of `slots` slots, both under strace, and
// returns the metadata calls of each side, by kind. `bin` holds the commands; `home` is an
// empty directory that becomes the home.
export async function measureRoundTrips({bin, home: given, jobs, slots}) {
  const home = fs.realpathSync(given);
  fs.mkdirSync(path.join(home, 'jobqueue'), {recursive: true, mode: 0o700});
  fs.chmodSync(home, 0o700);
  const text = '[control]\nexecutable = true\n';
  const past = new Date(Date.now() - 5000);
  for (let i = 0; i < jobs; i++) {
    const file = path.join(home, 'jobqueue', `job${String(i).padStart(6, '0')}`);
    fs.writeFileSync(file, text);
    // Older than the dispatcher's settle time, as a backlog is.
    fs.utimesSync(file, past, past);
  }
  const writtenMs = Date.now();
  const traces = fs.mkdtempSync(path.join(path.dirname(home), 'strace-'));
  const workerTrace = path.join(traces, 'worker');
  const dispatcherTrace = path.join(traces, 'dispatcher');
  const env = {...process.env, FJD_HOME: home};
  const options = {cwd: home, env, stdio: ['ignore', 'ignore', 'pipe']};
  const worker = traced(workerTrace, path.join(bin, 'worker'), ['--home', home, '--slots', String(slots)], options);
  let workerErr = '';
  worker.stderr.on('data', (d) => (workerErr += d));
  try {
    await waitFor(
      () => {
        if (worker.exitCode !== null) throw new Error(`the traced worker stopped: ${workerErr}`);
        return (
          fs.existsSync(path.join(home, 'workerqueue')) && fs.readdirSync(path.join(home, 'workerqueue')).length > 0
        );
      },
      30_000,
      'the traced worker to announce itself',
    );
    // A backlog as a dispatcher finds it, written before it starts: one written in the last
    // second (PUT_BACK_MARGIN_MS in src/dispatcher/seen-records.ts) is looked for records.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1500 - (Date.now() - writtenMs))));
    const dispatcher = traced(dispatcherTrace, path.join(bin, 'dispatcher'), ['--quiet', '--home', home], {
      ...options,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    dispatcher.stdout.on('data', (d) => (out += d));
    dispatcher.stderr.on('data', (d) => (out += d));
    const code = await exited(dispatcher);
    if (code !== 0 || !new RegExp(`^Finished: ${jobs}, failed: 0`, 'm').test(out)) {
      throw new Error(`the traced dispatcher did not finish all ${jobs} jobs (exit code ${code}): ${out}`);
    }
    const fire = spawnSync(path.join(bin, 'recruiter'), ['fire', '--home', home], {env, encoding: 'utf8'});
    if (fire.status !== 0) throw new Error(`recruiter fire failed: ${fire.stderr}`);
    await Promise.race([
      exited(worker),
      delay(30_000).then(() => {
        throw new Error('the traced worker did not leave within 30 s of being fired');
      }),
    ]);
  } finally {
    if (worker.exitCode === null && worker.signalCode === null) {
      worker.kill('SIGKILL');
      await exited(worker);
    }
  }
  const sides = {
    dispatcher: countCalls(fs.readFileSync(dispatcherTrace, 'utf8'), home),
    worker: countCalls(fs.readFileSync(workerTrace, 'utf8'), home),
  };
  if (process.env.FJD_KEEP_TRACES === undefined) fs.rmSync(traces, {recursive: true, force: true});
  return {jobs, slots, ...sides};
}

const sum = (counts) => Object.values(counts).reduce((a, b) => a + b, 0);

// The per-job table of a measurement, in Markdown.
export function roundTripsTable({jobs, slots, dispatcher, worker}) {
  const kinds = [...new Set([...Object.keys(dispatcher), ...Object.keys(worker)])].sort();
  const per = (n) => (n / jobs).toFixed(2);
  const row = (label, d, w) => `| ${label} | ${per(d)} | ${per(w)} | ${per(d + w)} |`;
  return [
    `| per job (${jobs} trivial jobs, 1 worker of ${slots} slots) | dispatcher | worker | total |`,
    '|---|---|---|---|',
    ...kinds.map((k) => row(k, dispatcher[k] ?? 0, worker[k] ?? 0)),
    row('**all**', sum(dispatcher), sum(worker)),
    '| before #15 (issue 16) | 15.3 | 19.9 | 35 |',
    '| target | ≤ 4 | | ≤ 12 |',
  ].join('\n');
}

export const totalCalls = sum;

// `npm run bench -- --round-trips [--jobs=N]`: prints the table and writes it as JSON to
// bench-results/.
export async function roundTrips({bin, home, log}) {
  ensureStrace(log);
  const why = straceUnavailable();
  if (why !== undefined) throw new Error(`cannot count round trips: ${why}`);
  const jobs = Number(process.argv.find((a) => a.startsWith('--jobs='))?.slice('--jobs='.length) ?? 500);
  log(`round trips: ${jobs} trivial jobs, one worker of 2 slots, under strace…`);
  const result = await measureRoundTrips({bin, home, jobs, slots: 2});
  process.stdout.write(`${roundTripsTable(result)}\n`);
  const out = path.join(path.dirname(bin), 'bench-results');
  fs.mkdirSync(out, {recursive: true});
  const file = path.join(out, `round-trips-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, `${JSON.stringify({date: new Date().toISOString(), ...result}, null, 2)}\n`);
  log(`results written to ${path.relative(path.dirname(bin), file)}`);
}
