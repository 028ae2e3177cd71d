// A worker: registers in the home, announces itself in workerqueue/ when idle, runs whatever
// the dispatcher moves into its pod, records the outcome, ends the job file in done/ or
// failed/, and announces itself again. It stops when fired (a file in its directory) or when
// asked to by a signal (the CLI calls stop()).
import fs from 'node:fs';
import path from 'node:path';
import {FjdError, describeError, errnoCode, ioError} from '../errors.js';
import {ensureHome, relativeToHome, type HomePaths} from '../home/layout.js';
import {listDir, unlinkIfPresent, writeFileAtomic} from '../home/atomic.js';
import {announcementPath, endJob, podDir, requeueJob, workerDir} from '../home/transitions.js';
import {planCommand} from '../job/command.js';
import {parseJobFile} from '../job/job-file.js';
import {
  newRecord,
  readRecord,
  stderrPath,
  stdoutPath,
  writeRecord,
  type AttemptRecord,
  type JobRecord,
} from '../job/record.js';
import {runJob, type RunningJob} from '../run/run-job.js';
import {signalGroup} from '../run/kill-tree.js';
import {firePath, hostName, infoPath, processStartTime, type WorkerInfo} from './registry.js';
import {watchDir, type DirWatch} from '../util/watch-dir.js';

export type StopMode = 'drain' | 'now';

export interface WorkerOptions {
  home: string;
  // The working directory jobs run in unless they set [control] workdir.
  cwd: string;
  env: NodeJS.ProcessEnv;
  // Where the worker's own messages go (a log file for hired workers).
  log: (line: string) => void;
  logFile?: string;
  // How often the worker looks at its pod without being woken by an event (other hosts).
  tickMs?: number;
  // How long a stopped job gets between TERM and KILL.
  graceMs?: number;
}

export interface WorkerSummary {
  id: string;
  finished: number;
  failed: number;
  requeued: number;
}

export class Worker {
  readonly paths: HomePaths;
  readonly host = hostName();
  id = '';
  private readonly options: WorkerOptions;
  private readonly tickMs: number;
  private readonly graceMs: number;
  private announced = false;
  private busy = false;
  private stepQueued = false;
  private stopMode: StopMode | undefined;
  private stopReason = '';
  private current: RunningJob | undefined;
  private watches: DirWatch[] = [];
  private ticker: NodeJS.Timeout | undefined;
  private finish: ((summary: WorkerSummary) => void) | undefined;
  private fail: ((error: unknown) => void) | undefined;
  private readonly summary: WorkerSummary = {id: '', finished: 0, failed: 0, requeued: 0};

  constructor(options: WorkerOptions) {
    this.options = options;
    this.paths = ensureHome(options.home);
    this.tickMs = options.tickMs ?? 1000;
    this.graceMs = options.graceMs ?? 5000;
  }

  // Registers, announces, and runs jobs until fired; resolves with what it did.
  run(): Promise<WorkerSummary> {
    const done = new Promise<WorkerSummary>((resolve, reject) => {
      this.finish = resolve;
      this.fail = reject;
    });
    try {
      this.register();
    } catch (error) {
      this.crash(error);
      return done;
    }
    this.options.log(`worker ${this.id} started on ${this.host} (pid ${process.pid}), home ${this.paths.root}`);
    this.wake();
    return done;
  }

  // Asks the worker to stop: 'drain' finishes the running job first, 'now' stops it and puts
  // it back in jobqueue/. A second call can only make the stop more urgent.
  stop(mode: StopMode, reason: string): void {
    if (this.stopMode === 'now' || this.stopMode === mode) return;
    this.stopMode = mode;
    this.stopReason = reason;
    if (mode === 'now' && this.current !== undefined) this.current.stop(this.graceMs);
    this.wake();
  }

  private register(): void {
    const base = `${this.host}-${process.pid}`;
    for (let n = 1; ; n++) {
      const id = n === 1 ? base : `${base}-${n}`;
      try {
        fs.mkdirSync(workerDir(this.paths, id), {mode: 0o700});
        this.id = id;
        break;
      } catch (error) {
        if (errnoCode(error) !== 'EEXIST') throw error;
      }
    }
    this.summary.id = this.id;
    fs.mkdirSync(podDir(this.paths, this.id), {mode: 0o700});
    const info: WorkerInfo = {
      fjd: 1,
      id: this.id,
      host: this.host,
      pid: process.pid,
      procStart: processStartTime(process.pid),
      startedAt: new Date().toISOString(),
      cwd: this.options.cwd,
      log: this.options.logFile === undefined ? null : relativeToHome(this.paths, this.options.logFile),
    };
    try {
      this.announce();
    } catch (error) {
      fs.rmSync(workerDir(this.paths, this.id), {recursive: true, force: true});
      throw ioError('announcing the worker in', this.paths.workerqueue, error, 'The workers must be able to write workerqueue/ of the home.');
    }
    writeFileAtomic(this.paths.tmp, infoPath(this.paths, this.id), `${JSON.stringify(info, null, 2)}\n`);
    const wake = (): void => this.wake();
    this.watches = [watchDir(podDir(this.paths, this.id), wake), watchDir(workerDir(this.paths, this.id), wake)];
    this.ticker = setInterval(wake, this.tickMs);
  }

  private announce(): void {
    if (this.announced) return;
    const body = JSON.stringify({fjd: 1, id: this.id, host: this.host, pid: process.pid, at: new Date().toISOString()});
    writeFileAtomic(this.paths.tmp, announcementPath(this.paths, this.id), `${body}\n`);
    this.announced = true;
  }

  private unannounce(): void {
    unlinkIfPresent(announcementPath(this.paths, this.id));
    this.announced = false;
  }

  private wake(): void {
    if (this.busy) {
      // A job is running: the only news that matters now is a fire request.
      this.readFireRequest();
      return;
    }
    if (this.stepQueued) return;
    this.stepQueued = true;
    setImmediate(() => {
      this.stepQueued = false;
      this.step().catch((error: unknown) => this.crash(error));
    });
  }

  private readFireRequest(): void {
    let text: string;
    try {
      text = fs.readFileSync(firePath(this.paths, this.id), 'utf8').trim();
    } catch {
      return;
    }
    this.stop(text === 'now' ? 'now' : 'drain', text === 'now' ? 'fired with --now' : 'fired');
  }

  // One look at the pod: run what is there, one job at a time, then announce or exit.
  private async step(): Promise<void> {
    if (this.busy || this.finish === undefined) return;
    this.busy = true;
    try {
      this.readFireRequest();
      let pending = this.pendingJobs();
      while (pending.length > 0 && this.stopMode === undefined) {
        const [next] = pending;
        if (next !== undefined) await this.execute(next);
        this.readFireRequest();
        pending = this.pendingJobs();
      }
      if (this.stopMode !== undefined) {
        this.exit();
        return;
      }
      this.announce();
    } finally {
      this.busy = false;
    }
  }

  private pendingJobs(): string[] {
    return listDir(podDir(this.paths, this.id))
      .filter((name) => !name.startsWith('.'))
      .sort();
  }

  private giveBack(file: string, reason: string): void {
    const id = path.basename(file);
    const record = readRecord(this.paths, id) ?? newRecord(id, id);
    const got = requeueJob(this.paths, file, record, reason);
    this.summary.requeued++;
    this.options.log(`${id}: back in jobqueue/ as ${got} (${reason})`);
  }

  private async execute(id: string): Promise<void> {
    this.unannounce();
    const paths = this.paths;
    const jobFile = path.join(podDir(paths, this.id), id);
    const record: JobRecord = readRecord(paths, id) ?? newRecord(id, id);
    const startedAt = new Date();
    const attempt: AttemptRecord = {
      attempt: record.attempts.length + 1,
      worker: this.id,
      host: this.host,
      pid: null,
      pidStart: null,
      startedAt: startedAt.toISOString(),
      endedAt: null,
      durationMs: null,
      exitCode: null,
      signal: null,
      reason: null,
      outcome: 'running',
    };
    record.attempts.push(attempt);
    Object.assign(record, {
      worker: this.id,
      host: this.host,
      startedAt: attempt.startedAt,
      stdout: relativeToHome(paths, stdoutPath(paths, id)),
      stderr: relativeToHome(paths, stderrPath(paths, id)),
    });

    let running: RunningJob;
    try {
      running = runJob(this.prepare(jobFile, id, record));
    } catch (error) {
      const reason = error instanceof FjdError ? error.message : `could not start: ${describeError(error)}`;
      this.end(record, attempt, startedAt, {exitCode: null, signal: null, reason});
      return;
    }
    this.current = running;
    attempt.pid = running.pid ?? null;
    attempt.pidStart = running.pid === undefined ? null : processStartTime(running.pid);
    record.state = 'running';
    writeRecord(paths, record);
    if (this.stopMode === 'now') running.stop(this.graceMs);
    const result = await running.result;
    this.current = undefined;
    if (this.stopMode === 'now') {
      // Whatever the job left running in its group goes with it.
      if (running.pid !== undefined) signalGroup(running.pid, 'SIGKILL');
      this.closeAttempt(attempt, startedAt, result.exitCode, result.signal, `worker ${this.stopReason}`, 'requeued');
      const got = requeueJob(paths, jobFile, record, `interrupted: worker ${this.stopReason}`);
      this.summary.requeued++;
      this.options.log(`${id}: stopped and put back in jobqueue/ as ${got}`);
      return;
    }
    const reason =
      result.spawnError !== null
        ? `could not start: ${result.spawnError}`
        : result.signal !== null
          ? `killed by signal ${result.signal}`
          : result.exitCode === 0
            ? null
            : `exit code ${String(result.exitCode)}`;
    this.end(record, attempt, startedAt, {exitCode: result.exitCode, signal: result.signal, reason});
  }

  // Reads and checks the job file and everything it names; throws FjdError with the reason.
  private prepare(jobFile: string, id: string, record: JobRecord) {
    const stat = fs.lstatSync(jobFile);
    if (!stat.isFile()) {
      throw new FjdError('JOB_NOT_REGULAR', `the job is not a regular file (${stat.isSymbolicLink() ? 'a symbolic link' : 'a special file'})`);
    }
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(jobFile);
    } catch (error) {
      throw new FjdError('JOB_UNREADABLE', `cannot read the job file (${errnoCode(error) ?? describeError(error)})`, {
        cause: error,
      });
    }
    const {control} = parseJobFile(bytes);
    const workdir = path.resolve(this.options.cwd, control.workdir ?? '.');
    if (!isDirectory(workdir)) {
      throw new FjdError('WORKDIR_MISSING', `working directory ${workdir} does not exist`, {path: workdir});
    }
    const plan = planCommand(control.executable, workdir, this.options.env.PATH);
    if (control.logfile !== undefined) createLogfile(path.resolve(workdir, control.logfile));
    record.command = [plan.file, ...plan.args, jobFile];
    record.workdir = workdir;
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(this.options.env)) if (value !== undefined) env[key] = value;
    Object.assign(env, {
      FJD_HOME: this.paths.root,
      FJD_JOB_ID: id,
      FJD_JOB_NAME: record.name,
      FJD_JOB_FILE: jobFile,
      FJD_WORKER: this.id,
    });
    return {
      plan,
      jobFile,
      cwd: workdir,
      env,
      stdoutFile: stdoutPath(this.paths, id),
      stderrFile: stderrPath(this.paths, id),
    };
  }

  private closeAttempt(
    attempt: AttemptRecord,
    startedAt: Date,
    exitCode: number | null,
    signal: string | null,
    reason: string | null,
    outcome: AttemptRecord['outcome'],
  ): void {
    const endedAt = new Date();
    Object.assign(attempt, {
      endedAt: endedAt.toISOString(),
      durationMs: endedAt.getTime() - startedAt.getTime(),
      exitCode,
      signal,
      reason,
      outcome,
    });
  }

  // Records the outcome, then moves the job file to done/ or failed/.
  private end(
    record: JobRecord,
    attempt: AttemptRecord,
    startedAt: Date,
    result: {exitCode: number | null; signal: string | null; reason: string | null},
  ): void {
    const outcome = result.reason === null ? 'finished' : 'failed';
    this.closeAttempt(attempt, startedAt, result.exitCode, result.signal, result.reason, outcome);
    const dir = outcome === 'finished' ? this.paths.done : this.paths.failed;
    Object.assign(record, {
      state: outcome,
      endedAt: attempt.endedAt,
      durationMs: attempt.durationMs,
      exitCode: result.exitCode,
      signal: result.signal,
      reason: result.reason,
      file: relativeToHome(this.paths, path.join(dir, record.id)),
    });
    writeRecord(this.paths, record);
    const got = endJob(this.paths, this.id, record.id, outcome);
    if (got !== record.id) {
      record.file = relativeToHome(this.paths, path.join(dir, got));
      writeRecord(this.paths, record);
    }
    if (outcome === 'finished') this.summary.finished++;
    else this.summary.failed++;
    this.options.log(`${record.id}: ${outcome}${result.reason === null ? '' : ` (${result.reason})`} in ${String(attempt.durationMs)} ms`);
  }

  // Leaves the home. The pod is closed by renaming it away first, so that a dispatcher that
  // assigns a job at this very moment either got it in before (and it is put back into
  // jobqueue/ here) or fails to (and keeps it); a job is never removed with the directory.
  private exit(): void {
    for (const watch of this.watches) watch.close();
    if (this.ticker !== undefined) clearInterval(this.ticker);
    this.unannounce();
    const dir = workerDir(this.paths, this.id);
    const closed = path.join(dir, 'pod.closed');
    fs.renameSync(podDir(this.paths, this.id), closed);
    for (const name of listDir(closed).sort()) {
      this.giveBack(path.join(closed, name), `worker ${this.stopReason} before the job started`);
    }
    if (listDir(closed).length === 0) fs.rmSync(dir, {recursive: true, force: true});
    this.options.log(
      `worker ${this.id} stopped (${this.stopReason}): ${this.summary.finished} finished, ${this.summary.failed} failed, ${this.summary.requeued} put back`,
    );
    const finish = this.finish;
    this.finish = undefined;
    finish?.(this.summary);
  }

  private crash(error: unknown): void {
    for (const watch of this.watches) watch.close();
    if (this.ticker !== undefined) clearInterval(this.ticker);
    const fail = this.fail;
    this.finish = undefined;
    fail?.(error);
  }
}

function isDirectory(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

// Creates a job's logfile and its parent directories before the run, as the original fjd did;
// an existing logfile is left as it is.
function createLogfile(file: string): void {
  try {
    fs.mkdirSync(path.dirname(file), {recursive: true});
    fs.closeSync(fs.openSync(file, 'a'));
  } catch (error) {
    throw new FjdError('LOGFILE_UNUSABLE', `cannot create logfile ${file} (${errnoCode(error) ?? describeError(error)})`, {
      path: file,
      cause: error,
    });
  }
}
