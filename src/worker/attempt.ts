// One attempt of a job: preparing it (the job file read and checked, its working directory,
// command and environment), running it once with its output in the home, and telling how it
// ended. While it runs it is its lane's `run` (core.ts): a cancel request, a timeout or a stop
// stops it there; once it has ended, reason.ts says why it failed, if it did. Every job runs
// with the slot, cpus and GPUs its lane holds in its environment (job-env.ts).
import fs from 'node:fs';
import path from 'node:path';
import {FjdError, describeError, errnoCode} from '../errors.js';
import {writeRunningJobs, type CurrentJob} from '../home/current-job.js';
import {relativeToHome} from '../home/layout.js';
import {stderrPath, stdoutPath} from '../home/paths.js';
import {attemptRecord, type AttemptRecord, type JobRecord} from '../home/record.js';
import {planCommand} from '../job/command.js';
import {parseJobFile, type JobControl} from '../job/job-file.js';
import {readJobFile} from '../job/read-job-file.js';
import type {RunOptions, RunningJob} from '../run/run-job.js';
import {crashPoint} from '../util/crash-point.js';
import {signalGroup} from '../util/kill-tree.js';
import {isTransientFsError} from '../util/transient.js';
import {isFenced, stoppingNow, tolerate, whyNow, type Lane, type Run, type WorkerCore} from './core.js';
import {jobResourceEnv} from './job-env.js';
import {failureOf, reasonText, unrunnable, type Failure, type Reason} from './reason.js';
import type {Recorder} from './recorder.js';
import type {Requests} from './requests.js';
import type {Keyed} from '../util/timers.js';

// The signals that stop a worker as well as its job, and how long a worker whose job died of
// one waits for its own before it calls the attempt failed.
const STOP_SIGNALS = new Set(['SIGTERM', 'SIGINT']);
const STOP_SIGNAL_SETTLE_MS = 1000;

export interface Prepared {
  control: JobControl;
  run: Omit<RunOptions, 'stdoutFile' | 'stderrFile'>;
}

// How an attempt ended: finished; failed (and why); to be put back (the worker was told to stop
// now); fenced (nothing is recorded); or not now (it could not start for want of the home: the
// attempt does not count).
export type AttemptOutcome =
  | {kind: 'finished'}
  | {kind: 'failed'; failure: Failure}
  | {kind: 'put-back'; why: string}
  | {kind: 'fenced'}
  | {kind: 'not-now'};

const FINISHED: AttemptOutcome = {kind: 'finished'};
const FENCED: AttemptOutcome = {kind: 'fenced'};
const NOT_NOW: AttemptOutcome = {kind: 'not-now'};

export class Attempts {
  private readonly timeoutTimer: Keyed<Run>;
  // The working directories found to be there.
  private readonly workdirs = new Set<string>();

  constructor(
    private readonly core: WorkerCore,
    private readonly requests: Requests,
    private readonly recorder: Recorder,
  ) {
    this.timeoutTimer = core.timers.keyed((run: Run) => {
      run.timedOut = true;
      run.job.stop(core.graceMs);
    });
  }

  // Reads and checks the job file and everything it names; throws FjdError with the reason.
  prepare(jobFile: string, id: string, record: JobRecord, lane: Lane): Prepared {
    const {options} = this.core;
    const bytes = readJobFile(jobFile, {groupShared: options.groupShared === true, tmpDir: this.core.paths.tmp});
    const {control, env: jobEnv} = parseJobFile(bytes);
    const workdir = path.resolve(options.cwd, control.workdir ?? '.');
    // Looked at once, not per job: a directory gone since makes the spawn fail, and is looked
    // at again then (run()).
    if (!this.workdirs.has(workdir)) {
      if (!isDirectory(workdir)) throw workdirMissing(workdir);
      this.workdirs.add(workdir);
    }
    // A PATH of the job's own ([env]) is where its program is looked for.
    const plan = planCommand(control.executable, workdir, jobEnv.PATH ?? options.env.PATH, control.passJobFile);
    if (control.logfile !== undefined) createLogfile(path.resolve(workdir, control.logfile));
    record.command = plan.passJobFile ? [plan.file, ...plan.args, jobFile] : [plan.file, ...plan.args];
    record.workdir = workdir;
    // The job's [env] over the worker's environment; fjd's own variables over both.
    const env: Record<string, string> = {...this.core.env, ...jobEnv};
    Object.assign(env, {
      FJD_HOME: this.core.paths.root,
      FJD_JOB_ID: id,
      FJD_JOB_NAME: record.name,
      FJD_JOB_FILE: jobFile,
      FJD_WORKER: this.core.id,
      ...jobResourceEnv(lane.holding, this.core.capacity.gpus.length > 0, env),
    });
    return {control, run: {plan, jobFile, cwd: workdir, env}};
  }

  // A new attempt of the job, in its record, running from now.
  begin(record: JobRecord): AttemptRecord {
    const {core} = this;
    const startedAt = new Date().toISOString();
    const attempt = attemptRecord({attempt: record.attempts.length + 1, worker: core.id, host: core.host, startedAt});
    record.attempts.push(attempt);
    Object.assign(record, {worker: core.id, host: core.host, startedAt: attempt.startedAt});
    return attempt;
  }

  // Runs the job once, and closes the attempt unless it is fenced or not now.
  async run(record: JobRecord, attempt: AttemptRecord, prepared: Prepared, lane: Lane): Promise<AttemptOutcome> {
    const {core} = this;
    const {paths} = core;
    const stdoutFile = stdoutPath(paths, record.id, attempt.attempt);
    const stderrFile = stderrPath(paths, record.id, attempt.attempt);
    attempt.stdout = relativeToHome(paths, stdoutFile);
    attempt.stderr = relativeToHome(paths, stderrFile);
    Object.assign(record, {stdout: attempt.stdout, stderr: attempt.stderr});
    // Noted as running before it starts: a worker that dies at any moment after this leaves a
    // note that counts the attempt, so a second run is never silent. The note is one small
    // file per worker, rewritten in place, naming every job that runs: no new file per job.
    record.state = 'running';
    const {holding} = lane;
    lane.note = {
      id: record.id,
      attempt: attempt.attempt,
      startedAt: attempt.startedAt,
      slot: holding.slot,
      cpus: holding.cpus,
      memoryBytes: holding.memoryBytes,
      gpus: holding.gpus,
    };
    const notes: CurrentJob[] = [];
    for (const other of core.lanes.values()) if (other.note !== undefined) notes.push(other.note);
    tolerate(core, 'note the running jobs', () => writeRunningJobs(paths, core.id, notes));
    let job: RunningJob;
    try {
      job = await core.starter.start({...prepared.run, stdoutFile, stderrFile});
    } catch (error) {
      if (!core.home.check()) return dropAttempt(record);
      const failure: Failure = {kind: 'spawn', detail: describeError(error)};
      closeAttempt(attempt, null, null, failure, 'failed');
      return {kind: 'failed', failure};
    }
    const run: Run = {id: record.id, job, timeoutMs: prepared.control.timeoutMs, timedOut: false, cancelled: false};
    lane.run = run;
    this.requests.look();
    this.requests.stopIfCancelled(run);
    attempt.pid = job.pid ?? null;
    crashPoint('run:started');
    if (stoppingNow(core)) job.stop(isFenced(core) ? 0 : core.graceMs);
    if (run.timeoutMs !== undefined) this.timeoutTimer.start(run, run.timeoutMs);
    const result = await job.result;
    this.timeoutTimer.cancel(run);
    lane.run = undefined;
    if (
      !run.timedOut &&
      !run.cancelled &&
      !stoppingNow(core) &&
      result.signal !== null &&
      STOP_SIGNALS.has(result.signal)
    ) {
      // Killed by a signal the worker did not send: the same signal may be on its way to the
      // worker itself. Slurm's scancel, and the end of an allocation, signal every process of
      // the job step at once, in no set order. A worker told to stop now puts the job back.
      await this.recorder.pause(STOP_SIGNAL_SETTLE_MS, record.id);
    }
    if (job.pid !== undefined && (run.timedOut || run.cancelled || stoppingNow(core))) {
      // Whatever the job left running in its group goes with it.
      signalGroup(job.pid, 'SIGKILL');
    }
    if (isFenced(core)) return FENCED;
    if (result.spawnError !== null && !core.home.check()) return dropAttempt(record);
    if (result.spawnError !== null && this.workdirs.delete(prepared.run.cwd) && !isDirectory(prepared.run.cwd)) {
      // Its working directory went away since it was last looked at: said as it is said before
      // a job starts.
      const failure = unrunnable(workdirMissing(prepared.run.cwd));
      closeAttempt(attempt, null, null, failure, 'failed');
      return {kind: 'failed', failure};
    }
    const why = whyNow(core);
    if (why !== undefined) {
      closeAttempt(attempt, result.exitCode, result.signal, {kind: 'stopped', why}, 'requeued');
      return {kind: 'put-back', why};
    }
    const failure = failureOf(result, run);
    closeAttempt(attempt, result.exitCode, result.signal, failure, failure === undefined ? 'finished' : 'failed');
    return failure === undefined ? FINISHED : {kind: 'failed', failure};
  }
}

// Closes an attempt: how and when it ended, and why (the record's text of `reason`).
export function closeAttempt(
  attempt: AttemptRecord,
  exitCode: number | null,
  signal: string | null,
  reason: Reason | undefined,
  outcome: AttemptRecord['outcome'],
): void {
  const endedAt = new Date();
  attempt.endedAt = endedAt.toISOString();
  attempt.durationMs = endedAt.getTime() - Date.parse(attempt.startedAt);
  attempt.exitCode = exitCode;
  attempt.signal = signal;
  attempt.reason = reason === undefined ? null : reasonText(reason);
  attempt.outcome = outcome;
}

// An attempt that never started, for want of the home: it is not kept.
function dropAttempt(record: JobRecord): AttemptOutcome {
  record.attempts.pop();
  return NOT_NOW;
}

function workdirMissing(workdir: string): FjdError {
  return new FjdError('WORKDIR_MISSING', `working directory ${workdir} does not exist`, {path: workdir});
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
    if (isTransientFsError(errnoCode(error))) throw error;
    throw new FjdError(
      'LOGFILE_UNUSABLE',
      `cannot create logfile ${file} (${errnoCode(error) ?? describeError(error)})`,
      {
        path: file,
        cause: error,
      },
    );
  }
}
