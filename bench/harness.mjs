// What every scenario of the benchmark shares: where fjd is, the run's root directory and its
// homes, a backlog written into a home, running fjd's commands and a dispatcher, waiting for a
// condition, the tools it installs (GNU parallel, strace), and the cleanup that ends every
// process the run started, also when it is interrupted (Ctrl-C, SIGTERM, SIGHUP).
import {spawn, spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {setTimeout as delay} from 'node:timers/promises';
import {fileURLToPath} from 'node:url';
import {liveProcessesUnder} from './processes.mjs';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const BIN = path.join(REPO, 'bin');
export const ROOT = fs.mkdtempSync(path.join(os.tmpdir(), 'fjd-bench-'));

export const log = (line) => process.stderr.write(`${line}\n`);
export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
export const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
export const nowNs = () => BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));

// A scenario's home is kept until the whole run is over (ROOT is removed then), not deleted
// when the scenario ends. On a filesystem such as this machine's (ext4 without a journal), the
// inode allocator skips every inode freed in the last 60-300 s, one by one, on each file it
// creates: deleting thousands of files between rounds would make the next round's file
// creations pay for the harness's cleanup.
let homeCounter = 0;
export function freshHome(label) {
  const dir = path.join(ROOT, `${label}-${++homeCounter}`);
  fs.mkdirSync(path.join(dir, 'jobqueue'), {recursive: true, mode: 0o700});
  fs.chmodSync(dir, 0o700);
  return dir;
}

// A scratch directory of the run (removed with it), for tools that are not fjd.
export function scratchDir(label) {
  const dir = path.join(ROOT, `${label}-${++homeCounter}`);
  fs.mkdirSync(dir, {recursive: true});
  return dir;
}

// Writes `count` jobs straight into jobqueue/ (a backlog that exists before anything starts).
export function writeJobs(home, count, executable) {
  const text = `[control]\nexecutable = ${executable}\n`;
  for (let i = 0; i < count; i++)
    fs.writeFileSync(path.join(home, 'jobqueue', `job${String(i).padStart(6, '0')}`), text);
  // Files found by listing that were written within the dispatcher's settle time (1 s) are
  // watched until they are a second old; a backlog is older than that by the time it matters.
  const past = new Date(Date.now() - 5000);
  for (let i = 0; i < count; i++)
    fs.utimesSync(path.join(home, 'jobqueue', `job${String(i).padStart(6, '0')}`), past, past);
  // Flush the files to disk now: otherwise the kernel writes them back during the first
  // seconds of the measurement, which then measures the benchmark's own writes.
  spawnSync('sync');
}

export function fjd(bin, args, home, options = {}) {
  const result = spawnSync(path.join(BIN, bin), args, {
    env: {...process.env, FJD_HOME: home},
    cwd: home,
    encoding: 'utf8',
    ...options,
  });
  if (result.status !== 0 && options.check !== false) {
    throw new Error(`${bin} ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  }
  return result;
}

export async function waitFor(condition, timeoutMs, what, everyMs = 10) {
  const started = performance.now();
  while (!condition()) {
    if (performance.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await delay(everyMs);
  }
}

// Starts a dispatcher with `args` on `home`, its output ignored.
export function spawnDispatcher(home, args) {
  return spawn(path.join(BIN, 'dispatcher'), args, {env: {...process.env, FJD_HOME: home}, stdio: 'ignore'});
}

// Starts `dispatcher --watch --quiet` on `home`; resolves to it once it holds the home's lock.
export async function watchingDispatcher(home) {
  const dispatcher = spawnDispatcher(home, ['--watch', '--quiet']);
  await waitFor(() => fs.existsSync(path.join(home, '.fjd', 'dispatcher.lock')), 10_000, 'the dispatcher to start');
  return dispatcher;
}

// Resolves once `dispatcher` (a child process) has exited; with `signal`, sends it that first.
// One that has exited already (it crashed, or ended on its own) resolves at once: its 'exit'
// has come and gone, and waiting for it would hang the benchmark.
export function dispatcherEnd(dispatcher, signal) {
  if (dispatcher.exitCode !== null || dispatcher.signalCode !== null) return Promise.resolve();
  const ended = new Promise((resolve) => dispatcher.once('exit', resolve));
  if (signal !== undefined) dispatcher.kill(signal);
  return ended;
}

// Makes sure `command` runs (`command --version`), installing Debian's `pkg` when it does not,
// and says so. Returns undefined when it runs, else why not.
export function ensureTool(command, pkg = command) {
  const works = () => spawnSync(command, ['--version'], {stdio: 'ignore'}).status === 0;
  if (works()) return undefined;
  log(`${command} is missing: installing it with apt-get install -y ${pkg}`);
  spawnSync('apt-get', ['install', '-y', '-qq', pkg], {stdio: 'inherit'});
  if (!works()) {
    spawnSync('apt-get', ['update', '-qq'], {stdio: 'inherit'});
    spawnSync('apt-get', ['install', '-y', '-qq', pkg], {stdio: 'inherit'});
  }
  return works() ? undefined : `${command} could not be installed (apt-get install -y ${pkg})`;
}

// Ends every process of the run: those whose command line names ROOT (workers, dispatchers,
// strace writing there) and those whose working directory is in it (the jobs, GNU parallel
// and its jobs). SIGKILL, again until none is left (a worker may start a job meanwhile).
export function endEveryProcess() {
  for (let round = 0; round < 20; round++) {
    const pids = liveProcessesUnder(ROOT);
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    spawnSync('sleep', ['0.1']);
  }
  const left = liveProcessesUnder(ROOT);
  if (left.length > 0) log(`warning: processes of the benchmark still alive: ${left.join(' ')}`);
}

export function removeRoot() {
  endEveryProcess();
  fs.rmSync(ROOT, {recursive: true, force: true});
}

// On Ctrl-C, SIGTERM or SIGHUP: end every process of the run, remove its files, and exit 130.
export function cleanUpOnSignals() {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      log(`benchmark interrupted (${signal}): ending its processes and removing ${ROOT}`);
      removeRoot();
      process.exit(130);
    });
  }
}
