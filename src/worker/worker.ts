// A worker: registers in the home, announces itself in workerqueue/ when idle, runs whatever
// the dispatcher moves into its pod, records the outcome, ends the job file in done/ or
// failed/, and announces itself again. It renews a heartbeat so that dispatchers on any host
// can tell it is alive. It stops when fired (a file in its directory), when asked to by a
// signal (the CLI calls stop()), or when it finds its pod taken away: then it was presumed
// dead, its jobs were recovered elsewhere, and it must record nothing.
//
// This file holds the lifecycle and the loop, and reads as the path of one job: a step takes
// the pod's jobs in hand-out order (pod.ts); execute() reads a job's record, prepares and runs
// its attempts (attempt.ts) and records how it ended (recorder.ts). Its states, and what it
// may be asked, are written once in core.ts; presence.ts registers it, announces it, beats and
// notices a fence; requests.ts reads fire and cancel requests; util/timers.ts holds every timer.
import path from 'node:path';
import type {HomePaths} from '../home/layout.js';
import {FencedError, recordFor} from '../home/transitions.js';
import {podDir} from '../home/paths.js';
import {writeRecord, type JobRecord} from '../home/record.js';
import {errnoCode} from '../errors.js';
import {isRetryableMoveError, isTransientFsError} from '../util/transient.js';
import {
  createCore,
  isFenced,
  moreUrgent,
  tolerate,
  whyNow,
  type StopMode,
  type WorkerCore,
  type WorkerOptions,
  type WorkerState,
  type WorkerSummary,
} from './core.js';
import {Attempts, closeAttempt, type Prepared} from './attempt.js';
import {podJobs} from './pod.js';
import {WorkerPresence} from './presence.js';
import {unrunnable} from './reason.js';
import {Recorder} from './recorder.js';
import {Requests} from './requests.js';
import type {OneShot, Soon} from '../util/timers.js';

export type {StopMode, WorkerOptions, WorkerSummary} from './core.js';

const IDLE: WorkerState = {name: 'idle'};
const STOPPED: WorkerState = {name: 'stopped'};

export class Worker {
  private readonly core: WorkerCore;
  private readonly presence: WorkerPresence;
  private readonly requests: Requests;
  private readonly recorder: Recorder;
  private readonly attempts: Attempts;
  // The tick looks at the pod, the requests and the heartbeat without being woken by an event.
  private readonly tick: OneShot;
  private readonly stepSoon: Soon;
  private readonly lookSoon: Soon;
  private lastJobAt = performance.now();
  private settle: {resolve: (summary: WorkerSummary) => void; reject: (error: unknown) => void} | undefined;

  constructor(options: WorkerOptions) {
    this.core = createCore(options);
    const {timers} = this.core;
    this.requests = new Requests(this.core);
    this.presence = new WorkerPresence(this.core, {
      fenced: () => this.onFenced(),
      podChanged: () => this.wake(),
      dirChanged: (name) => {
        if (this.requests.noticed(name)) this.wake();
      },
    });
    this.recorder = new Recorder(this.core, this.presence);
    this.attempts = new Attempts(this.core, this.requests, this.recorder);
    this.tick = timers.oneShot(() => this.onTick());
    this.stepSoon = timers.soon(() => {
      this.step().catch((error: unknown) => this.crash(error));
    });
    // While a job runs, the only news that matters is a request, looked for once per turn of
    // the event loop however many events came in it.
    this.lookSoon = timers.soon(() => {
      this.readFireRequest();
      this.requests.look();
    });
  }

  get paths(): HomePaths {
    return this.core.paths;
  }

  get host(): string {
    return this.core.host;
  }

  get id(): string {
    return this.core.id;
  }

  // Registers, announces, and runs jobs until fired; resolves with what it did.
  run(): Promise<WorkerSummary> {
    const done = new Promise<WorkerSummary>((resolve, reject) => {
      this.settle = {resolve, reject};
    });
    try {
      this.presence.register();
    } catch (error) {
      this.crash(error);
      return done;
    }
    this.core.state = IDLE;
    this.scheduleTick();
    this.core.log(
      `worker ${this.core.id} started on ${this.core.host} (pid ${process.pid}), home ${this.core.paths.root}`,
    );
    this.wake();
    return done;
  }

  // Asks the worker to stop: 'drain' finishes the running job first, 'now' stops it and puts
  // it back in jobqueue/. A second call can only make the stop more urgent.
  stop(mode: StopMode, why: string): void {
    const {core} = this;
    if (!moreUrgent(mode, core.leaving)) return;
    core.leaving = {mode, why};
    if (mode === 'now' && core.state.name === 'busy') core.state.run?.job.stop(core.graceMs);
    core.pause.cutShort();
    this.wake();
  }

  // The pod was taken away: the worker was presumed lost, and its jobs were recovered.
  private onFenced(): void {
    const {core} = this;
    if (isFenced(core)) return;
    core.leaving = {mode: 'fenced'};
    core.summary.fenced = true;
    core.log(
      'this worker was presumed lost (its pod was taken away): stopping its job and leaving; its jobs were recovered',
    );
    if (core.state.name === 'busy') core.state.run?.job.stop(0);
    core.pause.cutShort();
    if (core.state.name !== 'busy') this.leave();
  }

  private wake(): void {
    if (this.core.state.name === 'busy') this.lookSoon.ask();
    else this.stepSoon.ask();
  }

  // Looks at the pod and the requests on a timer, for what no event announces (a dispatcher or
  // a recruiter on another host): every tick while busy, every heartbeat after ten seconds
  // without a job. The heartbeat rides on the same timer, so an idle worker wakes once per beat.
  private scheduleTick(): void {
    const {tickMs, heartbeatMs} = this.core;
    const idleFor = performance.now() - this.lastJobAt;
    this.tick.start(idleFor > 10_000 ? heartbeatMs : Math.min(tickMs, heartbeatMs));
  }

  private onTick(): void {
    this.presence.beatIfDue();
    // Requests written on other hosts raise no event here; an idle worker has nothing to
    // cancel, so it does not look (idle ticks stay as cheap as they can be).
    if (this.core.state.name === 'busy') this.requests.lookSoon();
    this.wake();
    if (this.core.state.name !== 'stopped') this.scheduleTick();
  }

  private readFireRequest(): void {
    const mode = this.requests.fire();
    if (mode !== undefined) this.stop(mode, mode === 'now' ? 'fired with --now' : 'fired');
  }

  // One look at the pod: run what is there, one job at a time, then announce or leave.
  private async step(): Promise<void> {
    const {core} = this;
    if (core.state.name !== 'idle') return;
    if (core.home.gone && !core.home.check()) {
      // Nothing can be done in a home that is not there; told to stop, the worker leaves
      // without it (its pod is recovered once the home is back).
      if (core.leaving !== undefined) this.leave();
      return;
    }
    core.state = {name: 'busy', run: undefined};
    try {
      this.readFireRequest();
      let pending = podJobs(core.paths, core.id);
      while (pending.length > 0 && core.leaving === undefined) {
        // Nothing is taken through a directory that is unsafe now; the next tick looks again.
        if (core.guard.unsafe()) return;
        const [next] = pending;
        if (next !== undefined) await this.execute(next);
        this.readFireRequest();
        pending = podJobs(core.paths, core.id);
      }
      if (core.leaving !== undefined) {
        this.leave();
        return;
      }
      if (this.requests.any) tolerate(core, 'clear cancel requests', () => this.requests.dropStale([]));
      if (!this.presence.announced && core.guard.unsafe()) return;
      tolerate(core, 'announce this worker', () => this.presence.announce());
    } catch (error) {
      if (!(error instanceof FencedError)) throw error;
      this.onFenced();
    } finally {
      if (core.state.name === 'busy') core.state = IDLE;
    }
    if (isFenced(core) && core.state.name !== 'stopped') this.leave();
  }

  // The path of one job, from the pod to done/, failed/ or back to jobqueue/.
  private async execute(id: string): Promise<void> {
    const {core, requests, recorder} = this;
    this.lastJobAt = performance.now();
    this.presence.unannounce();
    const jobFile = path.join(podDir(core.paths, core.id), id);
    let record: JobRecord;
    try {
      record = recordFor(core.paths, id);
    } catch (error) {
      if (!isRetryableMoveError(errnoCode(error))) throw error;
      await recorder.notNow(id, error);
      return;
    }
    requests.look();
    if (requests.has(id)) {
      // Cancelled while it waited in the pod: it never runs.
      await recorder.end(record, 'failed', {kind: 'cancelled'});
      requests.done(id);
      return;
    }
    let prepared: Prepared;
    try {
      prepared = this.attempts.prepare(jobFile, id, record);
    } catch (error) {
      // The filesystem refuses for now (full, read-only), or the home is gone for a moment.
      if (isTransientFsError(errnoCode(error)) || !core.home.check()) {
        await recorder.notNow(id, error);
        return;
      }
      const failure = unrunnable(error);
      closeAttempt(this.attempts.begin(record), null, null, failure, 'failed');
      await recorder.end(record, 'failed', failure);
      return;
    }
    const {control} = prepared;
    this.presence.trouble = undefined;
    for (let run = 0; ; run++) {
      const attempt = this.attempts.begin(record);
      const outcome = await this.attempts.run(record, attempt, prepared);
      if (outcome.kind === 'fenced' || isFenced(core)) return;
      if (outcome.kind === 'not-now') {
        await recorder.notNow(id, undefined);
        return;
      }
      if (outcome.kind === 'put-back') {
        await recorder.giveBack(record, {kind: 'interrupted', why: outcome.why});
        return;
      }
      if (outcome.kind === 'finished') {
        await recorder.end(record, 'finished', undefined);
        if (requests.has(id)) requests.done(id);
        return;
      }
      if (run >= control.retries || core.leaving !== undefined || requests.has(id)) {
        await recorder.end(record, 'failed', outcome.failure);
        if (requests.has(id)) requests.done(id);
        return;
      }
      const wait = control.retryDelayMs * 2 ** run;
      core.log(
        `${id}: ${attempt.reason ?? 'failed'}; retry ${run + 1} of ${control.retries}${wait > 0 ? ` in ${wait} ms` : ''}`,
      );
      tolerate(core, `update the record of ${id}`, () => writeRecord(core.paths, record));
      await recorder.pause(wait);
      if (isFenced(core)) return;
      requests.look();
      if (requests.has(id)) {
        await recorder.end(record, 'failed', {kind: 'cancelled'});
        requests.done(id);
        return;
      }
      const why = whyNow(core);
      if (why !== undefined) {
        await recorder.giveBack(record, {kind: 'interrupted', why});
        return;
      }
    }
  }

  // Leaves the home: closes the pod, putting back what is still in it (recorder.ts). A fenced
  // worker touches nothing: its pod already belongs to the recovery.
  private leave(): void {
    const {core} = this;
    const {leaving} = core;
    if (core.state.name === 'stopped' || leaving === undefined) return;
    this.stopWatching();
    const why = leaving.mode === 'fenced' ? undefined : leaving.why;
    if (why !== undefined && core.guard.unsafe(true)) {
      core.log('leaving the jobs in the pod as they are, for a dispatcher to recover once the home is safe again');
    } else if (why !== undefined && !core.home.gone) {
      this.presence.unannounce();
      this.recorder.closePod(why);
    }
    const {summary} = core;
    core.log(
      `worker ${core.id} stopped (${why === undefined ? 'presumed lost' : core.home.gone ? `${why}, without its home: its jobs are recovered once it is back` : why}): ${summary.finished} finished, ${summary.failed} failed, ${summary.requeued} put back`,
    );
    core.state = STOPPED;
    this.settle?.resolve(summary);
  }

  private stopWatching(): void {
    this.presence.close();
    this.core.timers.clearAll();
  }

  private crash(error: unknown): void {
    this.stopWatching();
    this.core.state = STOPPED;
    this.settle?.reject(error);
  }
}
