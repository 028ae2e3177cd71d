// Hiring: starting detached worker processes that outlive the shell that started them.
// Each runs in its own session, stdin closed, its messages going to a log in .fjd/logs/.
// Hiring returns once every new worker has registered and announced itself, with the slots
// each says it has (its info.json capacity). `recruiter hire N` starts one process of N slots.
import {spawn, type ChildProcess} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {FjdError} from '../errors.js';
import {ensureHome} from '../home/layout.js';
import {listWorkers} from '../home/registry.js';
import {announcementPath} from '../home/paths.js';
import {hostName} from '../util/host.js';
import {waitFor} from '../util/wait.js';

export interface HireOptions {
  home: string;
  groupShared?: boolean;
  // How many worker processes to start, each with the same command (and so the same slots).
  count: number;
  // The working directory of the workers, and so of their jobs.
  cwd: string;
  env: NodeJS.ProcessEnv;
  // The command that starts one worker, with its slots and capacity options (`--slots N` …);
  // `--home` and `--log-file` are appended.
  workerCommand: string[];
  timeoutMs?: number;
}

export interface HiredWorker {
  id: string;
  pid: number;
  log: string;
  // The jobs it runs at once, as its info.json says (1 for a worker that does not say).
  slots: number;
}

export interface HireResult {
  host: string;
  workers: HiredWorker[];
}

export async function hireWorkers(options: HireOptions): Promise<HireResult> {
  const paths = ensureHome(options.home, {groupShared: options.groupShared === true});
  const host = hostName();
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  const [command = process.execPath, ...baseArgs] = options.workerCommand;
  const started: {child: ChildProcess; pid: number; log: string; exit: string | undefined}[] = [];
  for (let i = 1; i <= options.count; i++) {
    const log = path.join(paths.logs, `worker-${host}-${stamp}-${process.pid}-${i}.log`);
    const fd = fs.openSync(log, 'a', 0o600);
    let child: ChildProcess;
    try {
      child = spawn(command, [...baseArgs, '--home', paths.root, '--log-file', log], {
        cwd: options.cwd,
        env: options.env,
        detached: true,
        stdio: ['ignore', fd, fd],
      });
    } finally {
      fs.closeSync(fd);
    }
    if (child.pid === undefined) {
      throw new FjdError('WORKER_START_FAILED', `could not start a worker with ${command}`, {path: log});
    }
    const entry = {child, pid: child.pid, log, exit: undefined as string | undefined};
    child.on('exit', (code, signal) => {
      entry.exit = signal === null ? `exit code ${String(code)}` : `signal ${signal}`;
    });
    child.on('error', (error) => {
      entry.exit = error.message;
    });
    started.push(entry);
  }
  const pids = new Set(started.map((s) => s.pid));
  const registered = new Map<number, {id: string; slots: number}>();
  try {
    await waitFor(
      () => {
        const dead = started.find((s) => s.exit !== undefined);
        if (dead !== undefined) {
          const tail = lastLines(dead.log, 5);
          throw new FjdError(
            'WORKER_START_FAILED',
            `a new worker stopped before it announced itself (${dead.exit ?? ''})${tail === '' ? '' : `:\n${tail}`}`,
            {
              path: dead.log,
              hint: `Its log is ${dead.log}.`,
            },
          );
        }
        for (const {id, info} of listWorkers(paths)) {
          // Registered (info.json) and announced: a worker that cannot announce itself stops,
          // and is told above, instead of being taken for hired in between.
          if (
            info !== undefined &&
            info.host === host &&
            pids.has(info.pid) &&
            fs.existsSync(announcementPath(paths, id))
          )
            registered.set(info.pid, {id, slots: info.capacity?.slots ?? 1});
        }
        return registered.size === pids.size;
      },
      options.timeoutMs ?? 30000,
      () => `${options.count - registered.size} of ${options.count} new workers have not announced themselves`,
    );
  } finally {
    for (const {child} of started) child.unref();
  }
  return {
    host,
    workers: started.map((s) => {
      const seen = registered.get(s.pid);
      return {id: seen?.id ?? '', pid: s.pid, log: s.log, slots: seen?.slots ?? 1};
    }),
  };
}

function lastLines(file: string, count: number): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-count).join('\n');
  } catch {
    return '';
  }
}
