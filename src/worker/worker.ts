// A worker: registers in the home, announces itself in workerqueue/ when idle, runs whatever
// the dispatcher moves into its pod, records the outcome, ends the job file in done/ or
// failed/, and announces itself again. It renews a heartbeat so that dispatchers on any host
// can tell it is alive. It stops when fired (a file in its directory), when asked to by a
// signal (the CLI calls stop()), or when it finds its pod taken away: then it was presumed
// dead, its jobs were recovered elsewhere, and it must record nothing.
import fs from 'node:fs';
import path from 'node:path';
import {setTimeout as delay} from 'node:timers/promises';
import {FjdError, describeError, errnoCode, ioError} from '../errors.js';
import {ensureHome, homeDirectories, relativeToHome, type HomePaths} from '../home/layout.js';
import {HomeGuard, isHomeProblem} from '../home/directories.js';
import {listDir, overwriteInPlace, unlinkIfPresent, writeFileAtomic} from '../home/atomic.js';
import {FencedError, leavePod, recordFor} from '../home/transitions.js';
import {
  announcementPath,
  closedPodDir,
  endedFile,
  FIRE_REQUEST,
  heartbeatPath,
  infoPath,
  podDir,
  stderrPath,
  stdoutPath,
  WORKER_CANCEL_PREFIX,
  workerCancelIdOf,
  workerCancelPath,
  workerDir,
} from '../home/paths.js';
import {planCommand} from '../job/command.js';
import {parseJobFile, type JobControl} from '../job/job-file.js';
import {readJobFile} from '../job/read-job-file.js';
import {attemptRecord, writeRecord, type AttemptRecord, type JobRecord} from '../home/record.js';
import {runJob, type RunningJob} from '../run/run-job.js';
import {signalGroup} from '../util/kill-tree.js';
import {crashPoint} from '../util/crash-point.js';
import {formatDuration} from '../util/duration.js';
import {hostName, processStartTime} from '../util/host.js';
import {isRetryableMoveError, isTransientFsError} from '../util/transient.js';
import {HomePresence, homeGoneMessage, podTakenAway} from '../home/presence.js';
import {notePolling, readFireRequest, type WorkerInfo} from '../home/registry.js';
import {writeCurrentJob, type CurrentJob} from '../home/current-job.js';
import {watchDir, type DirWatch} from '../util/watch-dir.js';
import {DEFAULT_HEARTBEAT_MS} from '../home/heartbeat.js';
import {watchTrouble, watchTroubleLine} from '../util/watch-trouble.js';
import {CANCELLED} from '../home/cancel-requests.js';
import {podJobs} from './pod.js';
import {failureOf, reasonText, unrunnable} from './reason.js';

export type StopMode = 'drain' | 'now';

// How long a job runs before the jobs waiting behind it in the pod are given back.
const GIVE_BACK_AFTER_MS = 1000;

// The signals that stop a worker as well as its job, and how long a worker whose job died of
// one waits for its own before it calls the attempt failed.
const STOP_SIGNALS = new Set(['SIGTERM', 'SIGINT']);
const STOP_SIGNAL_SETTLE_MS = 1000;

export interface WorkerOptions {
  home: string;
  // The working directory jobs run in unless they set [control] workdir.
  cwd: string;
  env: NodeJS.ProcessEnv;
  // Where the worker's own messages go (a log file for hired workers).
  log: (line: string) => void;
  logFile?: string;
  // Accept job files that their group may write (a home shared by a group).
  groupShared?: boolean;
  // How often the worker looks at its pod without being woken by an event (other hosts).
  tickMs?: number;
  // How long a stopped job gets between TERM and KILL.
  graceMs?: number;
  // How often the heartbeat is renewed; a dispatcher's lease must be several of these.
  heartbeatMs?: number;
  // How long to wait before trying again to record after ENOSPC, EROFS and the like.
  retryIoMs?: number;
}

export interface WorkerSummary {
  id: string;
  finished: number;
  failed: number;
  requeued: number;
  fenced: boolean;
}

interface Prepared {
  control: JobControl;
  run: Omit<Parameters<typeof runJob>[0], 'stdoutFile' | 'stderrFile'>;
}

export class Worker {
  readonly paths: HomePaths;
  readonly host = hostName();
  id = '';
  private readonly options: WorkerOptions;
  private readonly tickMs: number;
  private readonly graceMs: number;
  private readonly heartbeatMs: number;
  private readonly retryIoMs: number;
  private announced = false;
  private busy = false;
  private stepQueued = false;
  private fireCheckQueued = false;
  // The worker's environment as jobs get it, before the per-job variables.
  private baseEnv: Record<string, string> | undefined;
  private stopMode: StopMode | undefined;
  private stopReason = '';
  private fenced = false;
  private beat = 0;
  private ioTrouble: string | undefined;
  private lastJobAt = performance.now();
  private lastBeatAt = 0;
  // Why this worker's watches failed, so that it looks on its timer alone (for fjd status).
  private polling: string | undefined;
  private registered = false;
  private tickTimer: NodeJS.Timeout | undefined;
  private current: RunningJob | undefined;
  private currentId: string | undefined;
  // Jobs `fjd cancel` asked this worker to stop (.fjd/workers/W/cancel.ID), and whether to
  // look for new requests at the next chance (after an event in this worker's directory, and
  // on every tick for requests written on other hosts).
  private readonly cancels = new Set<string>();
  private lookForCancels = true;
  private cancelling = false;
  private wakeWaiting: (() => void) | undefined;
  private watches: DirWatch[] = [];
  private finish: ((summary: WorkerSummary) => void) | undefined;
  private fail: ((error: unknown) => void) | undefined;
  private readonly summary: WorkerSummary = {id: '', finished: 0, failed: 0, requeued: 0, fenced: false};
  // Looks at the home's directories again before a job is taken from the pod or moved out of it.
  private readonly guard: HomeGuard;
  // Whether the home is there: while it is gone (renamed away, unmounted), the worker waits.
  private readonly presence: HomePresence;

  constructor(options: WorkerOptions) {
    this.options = options;
    this.paths = ensureHome(options.home, {groupShared: options.groupShared === true});
    this.tickMs = options.tickMs ?? 1000;
    this.graceMs = options.graceMs ?? 5000;
    this.heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    this.retryIoMs = options.retryIoMs ?? 5000;
    this.guard = new HomeGuard(this.paths.root, homeDirectories(this.paths), {groupShared: options.groupShared === true}, Math.min(250, this.tickMs), (problem) =>
      this.options.log(problem === undefined ? "the home's directories are safe again; going on" : `${problem.message}; nothing is moved through it until that is fixed. ${problem.hint ?? ''}`),
    );
    this.presence = new HomePresence(this.paths, (missing) =>
      this.options.log(missing === undefined ? `the home ${this.paths.root} is back; going on` : `${homeGoneMessage(this.paths, missing)}; a running job goes on`),
    );
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
    this.wakeWaiting?.();
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
        if (errnoCode(error) !== 'EEXIST') throw ioError('registering the worker in', this.paths.workers, error);
      }
    }
    this.summary.id = this.id;
    fs.mkdirSync(podDir(this.paths, this.id), {mode: 0o700});
    this.guard.add(workerDir(this.paths, this.id), podDir(this.paths, this.id));
    this.renewHeartbeat();
    const wake = (): void => this.wake();
    // The pod for jobs; the worker's own directory only for a fire request (its heartbeat and
    // notes change there all the time, and are no news).
    this.watches = [
      watchDir(podDir(this.paths, this.id), wake, (error) => this.watchFailed(error)),
      watchDir(workerDir(this.paths, this.id), (_event, name) => {
        if (name === undefined || name.startsWith(WORKER_CANCEL_PREFIX)) this.lookForCancels = true;
        if (name === FIRE_REQUEST || name === undefined || name.startsWith(WORKER_CANCEL_PREFIX)) wake();
      }, (error) => this.watchFailed(error)),
    ];
    const info: WorkerInfo = {
      fjd: 1,
      id: this.id,
      host: this.host,
      pid: process.pid,
      procStart: processStartTime(process.pid),
      startedAt: new Date().toISOString(),
      cwd: this.options.cwd,
      log: this.options.logFile === undefined ? null : relativeToHome(this.paths, this.options.logFile),
      heartbeatMs: this.heartbeatMs,
      slurmJob: this.options.env.SLURM_JOB_ID ?? null,
      polling: this.polling ?? null,
    };
    // Its info first: a dispatcher that reads the announcement finds it (its pid, its
    // heartbeat, whether it watches).
    writeFileAtomic(this.paths.tmp, infoPath(this.paths, this.id), `${JSON.stringify(info, null, 2)}\n`);
    try {
      this.announce();
    } catch (error) {
      fs.rmSync(workerDir(this.paths, this.id), {recursive: true, force: true});
      throw ioError('announcing the worker in', this.paths.workerqueue, error, 'The workers must be able to write workerqueue/ of the home.');
    }
    this.registered = true;
    this.lastBeatAt = performance.now();
    this.scheduleTick();
  }

  // Looks at the pod and the fire request on a timer, for what no event announces (a
  // dispatcher or a recruiter on another host): every tick while busy, every five after ten
  // seconds without a job.
  // The heartbeat rides on the same timer, so an idle worker wakes once per heartbeat.
  private scheduleTick(): void {
    const idleFor = performance.now() - this.lastJobAt;
    const next = idleFor > 10_000 ? this.heartbeatMs : Math.min(this.tickMs, this.heartbeatMs);
    this.tickTimer = setTimeout(() => {
      if (performance.now() - this.lastBeatAt >= this.heartbeatMs - 50) {
        this.lastBeatAt = performance.now();
        this.heartbeat();
      }
      // Requests written on other hosts raise no event here; an idle worker has nothing to
      // cancel, so it does not look (idle ticks stay as cheap as they can be).
      if (this.busy) this.lookForCancels = true;
      this.wake();
      if (this.finish !== undefined) this.scheduleTick();
    }, next);
  }

  // A watch failed (the inotify limit): say so once, and note it in info.json for fjd status.
  private watchFailed(error: unknown): void {
    if (this.polling !== undefined) return;
    const trouble = watchTrouble(error);
    this.polling = watchTroubleLine(trouble);
    this.options.log(`cannot watch its directories (${trouble.error}): ${trouble.what}${trouble.fix === undefined ? '' : `; ${trouble.fix}`}. Until then this worker looks for jobs on its timer (every ${formatDuration(Math.min(this.tickMs, this.heartbeatMs))}; every ${formatDuration(this.heartbeatMs)} after 10s without a job) instead of being told`);
    const reason = this.polling;
    if (this.registered) this.tolerate('note in info.json that this worker polls', () => notePolling(this.paths, this.id, reason));
  }

  // Renews the heartbeat: its content changes every time, which is all a dispatcher on any
  // host compares (never clocks). A worker whose pod was taken away was presumed dead: it stops.
  private heartbeat(): void {
    if (this.finish === undefined) return;
    const pod = podDir(this.paths, this.id);
    if ((this.presence.gone || !fs.existsSync(pod)) && !this.podThere(pod)) return;
    try {
      this.renewHeartbeat();
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT' || this.podThere(pod)) {
        this.options.log(`cannot renew the heartbeat (${errnoCode(error) ?? describeError(error)}); trying again`);
      }
    }
  }

  // Whether the pod is there after all. If not, it was taken away (fenced: the worker leaves),
  // or the home is gone for a moment (the worker waits, and says so once).
  private podThere(pod: string): boolean {
    if (podTakenAway(pod)) {
      this.onFenced();
      return false;
    }
    return this.presence.check() && fs.existsSync(pod);
  }

  // The beat, and what keeps this worker from recording (ENOSPC…) or "ok". Fixed width and
  // written in place, so it goes on beating on a full disk and tells the trouble there.
  private renewHeartbeat(): void {
    this.beat++;
    const line = `${String(this.beat).padStart(15, '0')} ${(this.ioTrouble ?? 'ok').padEnd(15)}`;
    overwriteInPlace(heartbeatPath(this.paths, this.id), `${line}\n`);
  }

  private onFenced(): void {
    if (this.fenced) return;
    this.fenced = true;
    this.summary.fenced = true;
    this.options.log('this worker was presumed lost (its pod was taken away): stopping its job and leaving; its jobs were recovered');
    if (this.current !== undefined) this.current.stop(0);
    this.wakeWaiting?.();
    if (!this.busy) this.exit();
  }

  private announce(): void {
    if (this.announced) return;
    const body = JSON.stringify({fjd: 1, id: this.id, host: this.host, pid: process.pid, at: new Date().toISOString()});
    writeFileAtomic(this.paths.tmp, announcementPath(this.paths, this.id), `${body}\n`);
    this.announced = true;
  }

  // Runs a write that only informs (an announcement, the running-job note, a record between
  // retries): on a full or read-only disk it says so and the work goes on; a later tick or
  // write tries again.
  private tolerate(what: string, action: () => void): void {
    try {
      action();
    } catch (error) {
      const code = errnoCode(error);
      if (isRetryableMoveError(code)) this.options.log(`cannot ${what} (${code ?? ''}); going on`);
      else if (code !== 'ENOENT' || this.presence.check()) throw error;
    }
  }

  private unannounce(): void {
    if (!this.announced) return;
    unlinkIfPresent(announcementPath(this.paths, this.id));
    this.announced = false;
  }

  private wake(): void {
    if (this.busy) {
      // A job is running: the only news that matters now is a fire request, looked for once
      // per turn of the event loop however many events came in it.
      if (this.fireCheckQueued) return;
      this.fireCheckQueued = true;
      setImmediate(() => {
        this.fireCheckQueued = false;
        this.readFireRequest();
        this.readCancelRequests();
      });
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
    const mode = readFireRequest(this.paths, this.id);
    if (mode !== undefined) this.stop(mode, mode === 'now' ? 'fired with --now' : 'fired');
  }

  // Notes the jobs that `fjd cancel` asked this worker to stop, and stops the running one if
  // it is among them.
  private readCancelRequests(): void {
    if (!this.lookForCancels) return;
    this.lookForCancels = false;
    const before = this.cancels.size;
    for (const name of listDir(workerDir(this.paths, this.id))) {
      const id = workerCancelIdOf(name);
      if (id !== undefined) this.cancels.add(id);
    }
    // A job waiting to be retried is cancelled at once, not after its delay.
    if (this.cancels.size > before) this.wakeWaiting?.();
    if (this.current !== undefined && this.currentId !== undefined && this.cancels.has(this.currentId) && !this.cancelling) {
      this.cancelling = true;
      this.options.log(`${this.currentId}: cancelled; stopping it`);
      this.current.stop(this.graceMs);
    }
  }

  // A cancel request is done with: its job has ended, or is no longer in this pod.
  private dropCancel(id: string): void {
    this.cancels.delete(id);
    unlinkIfPresent(workerCancelPath(this.paths, this.id, id));
  }

  // Requests for jobs that are not in the pod (ended, given back) are void: removed, so that
  // `fjd cancel` sees the job where it is now.
  private dropStaleCancels(pending: string[]): void {
    this.readCancelRequests();
    for (const id of [...this.cancels]) if (!pending.includes(id)) this.dropCancel(id);
  }

  // One look at the pod: run what is there, one job at a time, then announce or exit.
  private async step(): Promise<void> {
    if (this.busy || this.finish === undefined) return;
    if (this.presence.gone && !this.presence.check()) {
      // Nothing can be done in a home that is not there; told to stop, the worker leaves
      // without it (its pod is recovered once the home is back).
      if (this.stopMode !== undefined) this.exit();
      return;
    }
    this.busy = true;
    try {
      this.readFireRequest();
      let pending = podJobs(this.paths, this.id);
      while (pending.length > 0 && this.stopMode === undefined && !this.fenced) {
        // Nothing is taken through a directory that is unsafe now; the next tick looks again.
        if (this.guard.unsafe()) return;
        const [next] = pending;
        if (next !== undefined) await this.execute(next);
        this.readFireRequest();
        pending = podJobs(this.paths, this.id);
      }
      if (this.stopMode !== undefined || this.fenced) {
        this.exit();
        return;
      }
      if (this.cancels.size > 0) this.tolerate('clear cancel requests', () => this.dropStaleCancels([]));
      if (!this.announced && this.guard.unsafe()) return;
      this.tolerate('announce this worker', () => this.announce());
    } catch (error) {
      if (!(error instanceof FencedError)) throw error;
      this.onFenced();
    } finally {
      this.busy = false;
    }
    if (this.fenced) this.exit();
  }

  private newAttempt(record: JobRecord): AttemptRecord {
    const startedAt = new Date().toISOString();
    const attempt = attemptRecord({attempt: record.attempts.length + 1, worker: this.id, host: this.host, startedAt});
    record.attempts.push(attempt);
    Object.assign(record, {worker: this.id, host: this.host, startedAt: attempt.startedAt});
    return attempt;
  }

  private async execute(id: string): Promise<void> {
    this.lastJobAt = performance.now();
    this.unannounce();
    const paths = this.paths;
    const pod = podDir(paths, this.id);
    const jobFile = path.join(pod, id);
    let record: JobRecord;
    try {
      record = recordFor(paths, id);
    } catch (error) {
      if (!isRetryableMoveError(errnoCode(error))) throw error;
      await this.notNow(id, error);
      return;
    }
    this.readCancelRequests();
    if (this.cancels.has(id)) {
      // Cancelled while it waited in the pod: it never runs.
      await this.end(record, 'failed', CANCELLED);
      this.dropCancel(id);
      return;
    }
    let prepared: Prepared;
    try {
      prepared = this.prepare(jobFile, id, record);
    } catch (error) {
      // The filesystem refuses for now (full, read-only), or the home is gone for a moment.
      if (isTransientFsError(errnoCode(error)) || !this.presence.check()) {
        await this.notNow(id, error);
        return;
      }
      const attempt = this.newAttempt(record);
      const reason = reasonText(unrunnable(error));
      this.closeAttempt(attempt, {exitCode: null, signal: null, reason}, 'failed');
      await this.end(record, 'failed', reason);
      return;
    }
    const {control} = prepared;
    this.ioTrouble = undefined;
    for (let run = 0; ; run++) {
      const attempt = this.newAttempt(record);
      const outcome = await this.runAttempt(record, attempt, prepared);
      if (outcome === 'stopped' || this.fenced) return;
      if (outcome === 'not-now') {
        await this.notNow(id, undefined);
        return;
      }
      if (outcome === 'finished') {
        await this.end(record, 'finished', null);
        if (this.cancels.has(id)) this.dropCancel(id);
        return;
      }
      if (run >= control.retries || this.stopMode !== undefined || this.cancels.has(id)) {
        await this.end(record, 'failed', attempt.reason);
        if (this.cancels.has(id)) this.dropCancel(id);
        return;
      }
      const wait = control.retryDelayMs * 2 ** run;
      this.options.log(`${id}: ${attempt.reason ?? 'failed'}; retry ${run + 1} of ${control.retries}${wait > 0 ? ` in ${wait} ms` : ''}`);
      this.tolerate(`update the record of ${id}`, () => writeRecord(paths, record));
      await this.pause(wait);
      if (this.fenced) return;
      this.readCancelRequests();
      if (this.cancels.has(id)) {
        await this.end(record, 'failed', CANCELLED);
        this.dropCancel(id);
        return;
      }
      if (this.stopMode === 'now') {
        await this.giveBack(pod, record, `interrupted: worker ${this.stopReason}`);
        return;
      }
    }
  }

  // The job stays in the pod, to be started after a pause: the home refuses for now, or is
  // gone for a moment.
  private async notNow(id: string, error: unknown): Promise<void> {
    const code = errnoCode(error);
    if (!this.presence.gone && this.ioTrouble !== code) {
      this.ioTrouble = code;
      this.options.log(`${id}: cannot start it now (${error === undefined ? 'the home is gone' : describeError(error)}); trying again every ${formatDuration(this.retryIoMs)}`);
    }
    await this.pause(this.retryIoMs);
  }

  // Runs the job once: 'finished', 'failed' (the attempt says why), 'stopped' (put back), or
  // 'not-now' (it could not start because the home is gone: the attempt does not count).
  private async runAttempt(
    record: JobRecord,
    attempt: AttemptRecord,
    prepared: Prepared,
  ): Promise<'finished' | 'failed' | 'stopped' | 'not-now'> {
    const paths = this.paths;
    const stdoutFile = stdoutPath(paths, record.id, attempt.attempt);
    const stderrFile = stderrPath(paths, record.id, attempt.attempt);
    attempt.stdout = relativeToHome(paths, stdoutFile);
    attempt.stderr = relativeToHome(paths, stderrFile);
    Object.assign(record, {stdout: attempt.stdout, stderr: attempt.stderr});
    // Noted as running before it starts: a worker that dies at any moment after this leaves a
    // note that counts the attempt, so a second run is never silent. The note is one small
    // file per worker, rewritten in place: no new file per job.
    record.state = 'running';
    const current: CurrentJob = {id: record.id, attempt: attempt.attempt, startedAt: attempt.startedAt};
    this.tolerate('note the running job', () => writeCurrentJob(this.paths, this.id, current));
    let running: RunningJob;
    try {
      running = runJob({...prepared.run, stdoutFile, stderrFile});
    } catch (error) {
      if (!this.presence.check()) return this.dropAttempt(record);
      this.closeAttempt(attempt, {exitCode: null, signal: null, reason: `could not start: ${describeError(error)}`}, 'failed');
      return 'failed';
    }
    this.current = running;
    this.currentId = record.id;
    this.cancelling = false;
    this.readCancelRequests();
    attempt.pid = running.pid ?? null;
    crashPoint('run:started');
    if (this.stopMode === 'now' || this.fenced) running.stop(this.fenced ? 0 : this.graceMs);
    // Jobs waiting behind this one in the pod go back to the queue if it turns out long, so
    // that an idle worker elsewhere can take them.
    const giveBack = setTimeout(() => this.giveBackWaiting(record.id), GIVE_BACK_AFTER_MS);
    let timedOut = false;
    const {timeoutMs} = prepared.control;
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            running.stop(this.graceMs);
          }, timeoutMs);
    const result = await running.result;
    clearTimeout(giveBack);
    if (timer !== undefined) clearTimeout(timer);
    this.current = undefined;
    this.currentId = undefined;
    const cancelled = this.cancelling;
    this.cancelling = false;
    if (!timedOut && !cancelled && this.stopMode !== 'now' && !this.fenced && result.signal !== null && STOP_SIGNALS.has(result.signal)) {
      // Killed by a signal the worker did not send: the same signal may be on its way to the
      // worker itself. Slurm's scancel, and the end of an allocation, signal every process of
      // the job step at once, in no set order. A worker told to stop now puts the job back.
      await this.pause(STOP_SIGNAL_SETTLE_MS);
    }
    if (running.pid !== undefined && (timedOut || cancelled || this.stopMode === 'now' || this.fenced)) {
      // Whatever the job left running in its group goes with it.
      signalGroup(running.pid, 'SIGKILL');
    }
    if (this.fenced) return 'stopped';
    if (result.spawnError !== null && !this.presence.check()) return this.dropAttempt(record);
    if (this.stopMode === 'now') {
      this.closeAttempt(attempt, {exitCode: result.exitCode, signal: result.signal, reason: `worker ${this.stopReason}`}, 'requeued');
      await this.giveBack(podDir(paths, this.id), record, `interrupted: worker ${this.stopReason}`);
      return 'stopped';
    }
    const failure = failureOf(result, {cancelled, timedOut, timeoutMs});
    const reason = failure === undefined ? null : reasonText(failure);
    this.closeAttempt(attempt, {exitCode: result.exitCode, signal: result.signal, reason}, reason === null ? 'finished' : 'failed');
    return reason === null ? 'finished' : 'failed';
  }

  // An attempt that never started, for want of the home: it is not kept.
  private dropAttempt(record: JobRecord): 'not-now' {
    record.attempts.pop();
    return 'not-now';
  }

  // Reads and checks the job file and everything it names; throws FjdError with the reason.
  private prepare(jobFile: string, id: string, record: JobRecord): Prepared {
    const bytes = readJobFile(jobFile, {groupShared: this.options.groupShared === true, tmpDir: this.paths.tmp});
    const {control} = parseJobFile(bytes);
    const workdir = path.resolve(this.options.cwd, control.workdir ?? '.');
    if (!isDirectory(workdir)) {
      throw new FjdError('WORKDIR_MISSING', `working directory ${workdir} does not exist`, {path: workdir});
    }
    const plan = planCommand(control.executable, workdir, this.options.env.PATH, control.passJobFile);
    if (control.logfile !== undefined) createLogfile(path.resolve(workdir, control.logfile));
    record.command = plan.passJobFile ? [plan.file, ...plan.args, jobFile] : [plan.file, ...plan.args];
    record.workdir = workdir;
    if (this.baseEnv === undefined) {
      this.baseEnv = {};
      for (const [key, value] of Object.entries(this.options.env)) if (value !== undefined) this.baseEnv[key] = value;
    }
    const env: Record<string, string> = {...this.baseEnv};
    Object.assign(env, {
      FJD_HOME: this.paths.root,
      FJD_JOB_ID: id,
      FJD_JOB_NAME: record.name,
      FJD_JOB_FILE: jobFile,
      FJD_WORKER: this.id,
    });
    return {control, run: {plan, jobFile, cwd: workdir, env}};
  }

  private closeAttempt(
    attempt: AttemptRecord,
    result: {exitCode: number | null; signal: string | null; reason: string | null},
    outcome: AttemptRecord['outcome'],
  ): void {
    const endedAt = new Date();
    Object.assign(attempt, {
      endedAt: endedAt.toISOString(),
      durationMs: endedAt.getTime() - Date.parse(attempt.startedAt),
      exitCode: result.exitCode,
      signal: result.signal,
      reason: result.reason,
      outcome,
    });
  }

  // Records the outcome and moves the job file to done/ or failed/, retrying while the
  // filesystem refuses (full, read-only): the job stays in the pod until it is recorded.
  private async end(record: JobRecord, outcome: 'finished' | 'failed', reason: string | null): Promise<void> {
    const last = record.attempts.at(-1);
    Object.assign(record, {
      state: outcome,
      endedAt: last?.endedAt ?? new Date().toISOString(),
      durationMs: last?.durationMs ?? null,
      exitCode: last?.exitCode ?? null,
      signal: last?.signal ?? null,
      reason,
      file: endedFile(outcome, record.id),
    });
    await this.persist(`recording the outcome of ${record.id}`, () => {
      this.guard.assertSafe();
      return leavePod(this.paths, podDir(this.paths, this.id), record);
    });
    if (outcome === 'finished') this.summary.finished++;
    else this.summary.failed++;
    this.options.log(`${record.id}: ${outcome}${reason === null ? '' : ` (${reason})`} in ${String(record.durationMs)} ms`);
  }

  // Moves a job from a pod back to jobqueue/ with the reason in its record, which keeps its id
  // and attempts for the next run. Returns the name it got there.
  private putBack(pod: string, record: JobRecord, reason: string): string {
    this.guard.assertSafe();
    Object.assign(record, {state: 'requeued', reason, requeuedAs: null});
    return leavePod(this.paths, pod, record);
  }

  private giveBackWaiting(runningId: string): void {
    if (this.fenced || this.finish === undefined || this.guard.unsafe()) return;
    const pod = podDir(this.paths, this.id);
    for (const id of podJobs(this.paths, this.id)) {
      if (id === runningId) continue;
      try {
        const got = this.putBack(pod, recordFor(this.paths, id), 'given back: its worker is busy with a long job');
        this.options.log(`${id}: given back to jobqueue/ as ${got} (this worker is busy with a long job)`);
      } catch (error) {
        // It stays here and runs after the current job; nothing is lost.
        this.options.log(`${id}: could not give it back (${errnoCode(error) ?? describeError(error)}); it runs after the current job`);
      }
    }
  }

  // Puts a job back in jobqueue/; its record keeps its id and attempts for the next run.
  private async giveBack(pod: string, record: JobRecord, reason: string): Promise<void> {
    if (this.stopMode === 'now' && this.guard.unsafe()) {
      // Told to stop now on a home that is unsafe: the job stays in the pod, for the recovery.
      this.options.log(`${record.id}: left in the pod (the home is unsafe); a dispatcher puts it back once the home is safe again`);
      return;
    }
    const got = await this.persist(`putting ${record.id} back`, () => this.putBack(pod, record, reason));
    this.summary.requeued++;
    this.options.log(`${record.id}: back in jobqueue/ as ${got} (${reason})`);
  }

  private async persist<T>(what: string, action: () => T): Promise<T> {
    // One more try for a file found missing while the home is there: it may have been away.
    let spare = true;
    for (let tries = 1; ; tries++) {
      try {
        const done = action();
        if (tries > 1) {
          if (this.presence.gone) this.presence.check();
          this.ioTrouble = undefined;
          this.options.log(`${what} succeeded after ${tries} tries`);
        }
        return done;
      } catch (error) {
        const code = errnoCode(error);
        if (error instanceof FencedError || this.fenced) throw error;
        // A home whose directories are unsafe now is waited out like a full disk (the guard
        // has said why). Something missing: the home may be gone for a moment (then it waits
        // for it), or have come back since it failed (then once more is enough).
        const unsafe = isHomeProblem(error);
        const homeGone = code === 'ENOENT' && !this.presence.check();
        if (!unsafe && !isRetryableMoveError(code) && !homeGone && (code !== 'ENOENT' || !spare)) throw error;
        spare = homeGone || code !== 'ENOENT';
        if (tries === 1 && !homeGone) {
          this.ioTrouble = code;
          this.heartbeat();
          this.options.log(`${what} failed (${unsafe ? (code ?? '') : describeError(error)}); the job stays in the pod, trying again every ${formatDuration(this.retryIoMs)}`);
        }
        await this.pause(this.retryIoMs);
      }
    }
  }

  // Waits, but returns early when the worker is fenced or told to stop now.
  private async pause(ms: number): Promise<void> {
    if (ms <= 0) return;
    const controller = new AbortController();
    this.wakeWaiting = () => controller.abort();
    try {
      await delay(ms, undefined, {signal: controller.signal});
    } catch {
      // woken early
    } finally {
      this.wakeWaiting = undefined;
    }
  }

  // Leaves the home. The pod is closed by renaming it away first, so that a dispatcher that
  // assigns a job at this very moment either got it in before (and it is put back into
  // jobqueue/ here) or fails to (and keeps it); a job is never removed with the directory.
  // A fenced worker touches nothing: its pod already belongs to the recovery.
  private exit(): void {
    if (this.finish === undefined) return;
    this.stopWatching();
    const dir = workerDir(this.paths, this.id);
    if (!this.fenced && this.guard.unsafe(true)) {
      this.options.log('leaving the jobs in the pod as they are, for a dispatcher to recover once the home is safe again');
    } else if (!this.fenced && !this.presence.gone) {
      this.unannounce();
      const closed = closedPodDir(this.paths, this.id);
      fs.renameSync(podDir(this.paths, this.id), closed);
      crashPoint('exit:closed');
      for (const id of listDir(closed).sort()) {
        if (id.startsWith('.')) continue;
        const got = this.putBack(closed, recordFor(this.paths, id), `worker ${this.stopReason} before the job started`);
        this.summary.requeued++;
        this.options.log(`${id}: back in jobqueue/ as ${got} (worker ${this.stopReason} before it started)`);
      }
      if (listDir(closed).length === 0) fs.rmSync(dir, {recursive: true, force: true});
    }
    this.options.log(
      `worker ${this.id} stopped (${this.fenced ? 'presumed lost' : this.presence.gone ? `${this.stopReason}, without its home: its jobs are recovered once it is back` : this.stopReason}): ${this.summary.finished} finished, ${this.summary.failed} failed, ${this.summary.requeued} put back`,
    );
    const finish = this.finish;
    this.finish = undefined;
    finish(this.summary);
  }

  private stopWatching(): void {
    for (const watch of this.watches) watch.close();
    if (this.tickTimer !== undefined) clearTimeout(this.tickTimer);
  }

  private crash(error: unknown): void {
    this.stopWatching();
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
    if (isTransientFsError(errnoCode(error))) throw error;
    throw new FjdError('LOGFILE_UNUSABLE', `cannot create logfile ${file} (${errnoCode(error) ?? describeError(error)})`, {
      path: file,
      cause: error,
    });
  }
}
