// A fresh temporary home per test, and the commands to use on it, as a user would.
import fs from 'node:fs';
import path from 'node:path';
import {execa} from 'execa';
import {afterEach} from 'vitest';
import {BIN, TEST_ROOT} from './paths.js';
import {killMentioning, processesMentioning} from './processes.js';
import {waitUntil} from './wait.js';

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  timeoutMs?: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  // A command that runs the fjd command, such as ['setpriv', '--bounding-set=…'].
  wrap?: string[];
  // Text fed to the command's standard input (default: none, stdin ignored).
  input?: string;
}

export interface Started {
  result: Promise<CliResult>;
  signal(signal: NodeJS.Signals): void;
  // What it has printed so far, stdout and stderr together.
  output(): string;
}

export interface TestHome {
  // The home directory (also the working directory of the workers it hires).
  dir: string;
  // Runs a built command (`fjd`, `recruiter`, `dispatcher`, `worker`) with --home set via env.
  run(bin: string, args: string[], options?: RunOptions): Promise<CliResult>;
  // Starts a built command and returns at once.
  start(bin: string, args: string[], options?: RunOptions): Started;
  // Writes a job into jobqueue/ atomically (hidden name, then rename), dated 2 s back.
  job(name: string, text: string): string;
  ls(sub: string): string[];
  read(rel: string): string;
  record(id: string): Record<string, unknown>;
}

const homes: string[] = [];
// Commands a test started and may not have waited for (a dispatcher with --watch).
const running = new Set<{kill: (signal: NodeJS.Signals) => boolean}>();

let counter = 0;

export function makeHome(label = 'home'): TestHome {
  fs.mkdirSync(TEST_ROOT, {recursive: true});
  const dir = fs.mkdtempSync(path.join(TEST_ROOT, `${label.replace(/[^a-z0-9]+/gi, '-')}-${++counter}-`));
  homes.push(dir);
  const home: TestHome = {
    dir,
    run(bin, args, options = {}) {
      return home.start(bin, args, options).result;
    },
    start(bin, args, options = {}) {
      const [command = path.join(BIN, bin), ...rest] = [...(options.wrap ?? []), path.join(BIN, bin), ...args];
      const subprocess = execa(command, rest, {
        cwd: options.cwd ?? dir,
        env: {...process.env, FJD_HOME: dir, ...options.env},
        reject: false,
        ...(options.input === undefined ? {stdin: 'ignore' as const} : {input: options.input}),
        timeout: options.timeoutMs ?? 60_000,
        killSignal: 'SIGKILL',
        stripFinalNewline: false,
      });
      running.add(subprocess);
      let printed = '';
      subprocess.stdout?.on('data', (chunk: Buffer) => (printed += chunk.toString()));
      subprocess.stderr?.on('data', (chunk: Buffer) => (printed += chunk.toString()));
      const result = subprocess
        .then((done) => ({
          exitCode: done.exitCode ?? -1,
          stdout: String(done.stdout),
          stderr: String(done.stderr),
        }))
        .finally(() => running.delete(subprocess));
      return {result, signal: (signal) => subprocess.kill(signal), output: () => printed};
    },
    job(name, text) {
      const queue = path.join(dir, 'jobqueue');
      fs.mkdirSync(queue, {recursive: true});
      const hidden = path.join(queue, `.incoming-${counter++}`);
      fs.writeFileSync(hidden, text);
      // Its mtime 2 s back, as a job of a backlog has: a dispatcher that finds it by listing
      // takes it at once, not after the settle time (1 s) it gives a file that may still be
      // written in place. The place in line is by ctime, which the rename sets (README,
      // Scheduling). Tests of settling write their files themselves.
      const written = fs.statSync(hidden);
      fs.utimesSync(hidden, written.atime, new Date(written.mtimeMs - 2000));
      fs.renameSync(hidden, path.join(queue, name));
      return path.join(queue, name);
    },
    ls(sub) {
      try {
        return fs.readdirSync(path.join(dir, sub)).sort();
      } catch {
        return [];
      }
    },
    read(rel) {
      return fs.readFileSync(path.join(dir, rel), 'utf8');
    },
    record(id) {
      return JSON.parse(fs.readFileSync(path.join(dir, '.fjd', 'records', `${id}.json`), 'utf8')) as Record<
        string,
        unknown
      >;
    },
  };
  return home;
}

// After each test: fire the test's workers, make sure none of its processes is left, and
// remove its home. A leftover process fails the test that left it.
afterEach(async () => {
  for (const subprocess of running) subprocess.kill('SIGKILL');
  running.clear();
  const dirs = homes.splice(0);
  const leftovers: string[] = [];
  for (const dir of dirs) {
    if (processesMentioning(dir).length > 0) {
      await execa(path.join(BIN, 'recruiter'), ['fire', '--now', '--home', dir, '--timeout', '20'], {reject: false});
      await waitUntil(() => processesMentioning(dir).length === 0, 10_000, `processes of ${dir} to end`).catch(
        () => undefined,
      );
      for (const p of killMentioning(dir)) leftovers.push(`${p.pid} ${p.command}`);
    }
    fs.rmSync(dir, {recursive: true, force: true});
  }
  if (leftovers.length > 0) throw new Error(`the test left processes running:\n${leftovers.join('\n')}`);
});
