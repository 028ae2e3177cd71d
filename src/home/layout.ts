// The home's paths are a protocol shared by every dispatcher, worker and recruiter, on every
// host that mounts the home. Every one of them is defined once: the directories here (in
// HomePaths, with creating and checking a home), and every file and directory inside them
// that fjd names in paths.ts, next to this. Nothing else in src/ joins a name of the home by
// hand.
import fs from 'node:fs';
import path from 'node:path';
import {FjdError, errnoCode} from '../errors.js';
import {directoriesProblem, directoryProblem} from './directories.js';

export const JOBQUEUE = 'jobqueue';
export const WORKERQUEUE = 'workerqueue';
export const DONE = 'done';
export const FAILED = 'failed';
export const INTERNAL = '.fjd';

export interface HomePaths {
  root: string;
  jobqueue: string;
  workerqueue: string;
  done: string;
  failed: string;
  internal: string;
  workers: string;
  records: string;
  output: string;
  logs: string;
  tmp: string;
  // Requests to cancel open jobs, for whoever holds the dispatcher lock (cancel-requests.ts).
  cancel: string;
  // Priorities set with `fjd prioritize`, over the job files' own (priority.ts).
  priority: string;
  // Which failed jobs a dispatcher has seen fail, for --on-failure across restarts
  // (failure-log.ts).
  failuresLog: string;
  // The Slurm jobs `recruiter hire --slurm` submitted, one record each (src/slurm/record.ts).
  slurm: string;
  // The optional group limits file, `NAME = K` a line (limits.ts).
  limits: string;
}

// Absolute paths of every directory in a home.
export function homePaths(root: string): HomePaths {
  const abs = path.resolve(root);
  const internal = path.join(abs, INTERNAL);
  return {
    root: abs,
    jobqueue: path.join(abs, JOBQUEUE),
    workerqueue: path.join(abs, WORKERQUEUE),
    done: path.join(abs, DONE),
    failed: path.join(abs, FAILED),
    internal,
    workers: path.join(internal, 'workers'),
    records: path.join(internal, 'records'),
    output: path.join(internal, 'output'),
    logs: path.join(internal, 'logs'),
    tmp: path.join(internal, 'tmp'),
    cancel: path.join(internal, 'cancel'),
    priority: path.join(internal, 'priority'),
    failuresLog: path.join(internal, 'failures.log'),
    slurm: path.join(internal, 'slurm'),
    limits: path.join(abs, 'limits'),
  };
}

// The home a command acts on: --home, else $FJD_HOME, else the current directory.
export function resolveHome(option: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string {
  const chosen = option ?? (env.FJD_HOME === undefined || env.FJD_HOME === '' ? undefined : env.FJD_HOME);
  return path.resolve(cwd, chosen ?? '.');
}

export interface HomeOptions {
  // Allow a home (and its directories) that its group may write: a home shared by a group.
  groupShared?: boolean;
}

// Every directory of the home that fjd uses, the home first: what ensureHome creates, and what
// every command checks before it starts (src/home/directories.ts).
export function homeDirectories(paths: HomePaths): string[] {
  return [
    paths.root,
    paths.jobqueue,
    paths.workerqueue,
    paths.done,
    paths.failed,
    paths.internal,
    paths.workers,
    paths.records,
    paths.output,
    paths.logs,
    paths.tmp,
    paths.cancel,
    paths.priority,
    paths.slurm,
  ];
}

// Refuses a home whose directories fjd may not trust (src/home/directories.ts): links, other
// owners, and modes that let others write. Directories not there yet are left to ensureHome.
// For commands that only read the home, this is the whole check.
export function checkHome(root: string, options: HomeOptions = {}): HomePaths {
  const paths = homePaths(root);
  const problem = directoriesProblem(paths.root, homeDirectories(paths), {groupShared: options.groupShared === true});
  if (problem !== undefined) throw problem;
  return paths;
}

// Creates the home and its directories where missing (new ones with mode 0700), and checks
// that it is a directory fjd can write, and that it may trust (checkHome). Existing
// directories keep their mode. Each is checked before anything is created in it, so nothing
// is ever created through a link.
export function ensureHome(root: string, options: HomeOptions = {}): HomePaths {
  const paths = homePaths(root);
  const rules = {groupShared: options.groupShared === true};
  for (const dir of homeDirectories(paths)) {
    // (Something else in the way is reported by mkdir, below.)
    const problem = directoryProblem(dir, rules, dir === paths.root);
    if (problem?.code === 'HOME_UNSAFE') throw problem;
    try {
      fs.mkdirSync(dir, {recursive: true, mode: 0o700});
    } catch (error) {
      const code = errnoCode(error);
      const hint =
        code === 'EEXIST' || code === 'ENOTDIR'
          ? 'Something that is not a directory is in the way; move it aside or choose another home with --home DIR.'
          : code === 'EACCES' || code === 'EPERM'
            ? 'Choose a home you can write, with --home DIR or FJD_HOME.'
            : 'Check the path and the filesystem, or choose another home with --home DIR.';
      throw new FjdError('HOME_UNUSABLE', `cannot create ${dir} (${code ?? String(error)})`, {
        path: dir,
        hint,
        cause: error,
      });
    }
  }
  try {
    fs.accessSync(paths.jobqueue, fs.constants.W_OK | fs.constants.X_OK);
  } catch (error) {
    throw new FjdError('HOME_UNUSABLE', `cannot write to ${paths.jobqueue}`, {
      path: paths.jobqueue,
      hint: 'Choose a home you can write, with --home DIR or FJD_HOME.',
      cause: error,
    });
  }
  return paths;
}

// The home's paths, relative to the home, for records and messages that must stay valid
// on every host even when the home is mounted at different places.
export function relativeToHome(paths: HomePaths, target: string): string {
  return path.relative(paths.root, target);
}
