// A worker: one process with N slots. It registers in the home, announces that it takes jobs
// (workerqueue/W), and runs at once whatever the dispatcher moves into its pod, each job when
// it fits its free slots, cpus, memory and GPUs; it records each outcome and ends the job file
// in done/ or failed/. It renews one heartbeat so that dispatchers on any host can tell it is
// alive. It stops when fired (a file in its directory), when asked to by a signal (the CLI
// calls stop()), or when it finds its pod taken away: then it was presumed dead, its jobs were
// recovered elsewhere, and it must record nothing.
//
// This file holds the lifecycle and the loop: fill() takes the pod's jobs in hand-out order
// (pod.ts) into lanes while they fit (slots.ts), and lane.ts is the path of one job: prepared
// and run (attempt.ts), recorded (recorder.ts). Its states, and what it may be asked, are
// written once in core.ts; presence.ts registers it, announces it, beats and notices a fence;
// requests.ts reads fire and cancel requests; util/timers.ts holds every timer.
import type {HomePaths} from '../home/layout.js';
import {FencedError, recordFor} from '../home/transitions.js';
import type {JobRecord} from '../home/record.js';
import {FjdError, describeError, errnoCode} from '../errors.js';
import {formatDuration} from '../util/duration.js';
import {DEFAULT_REQUEST, type Request} from '../job/resources.js';
import {isRetryableMoveError} from '../util/transient.js';
import {
  createCore,
  isFenced,
  moreUrgent,
  tolerate,
  type Lane,
  type StopMode,
  type WorkerCore,
  type WorkerOptions,
  type WorkerSummary,
} from './core.js';
import {Attempts, closeAttempt} from './attempt.js';
import {runLane, type LaneParts} from './lane.js';
import {PodOrder} from './pod.js';
import {WorkerPresence} from './presence.js';
import {unrunnable} from './reason.js';
import {Recorder} from './recorder.js';
import {Requests} from './requests.js';
import type {OneShot, Soon} from '../util/timers.js';

export type {StopMode, WorkerOptions, WorkerSummary} from './core.js';

// How long the jobs running here must have run, with a job waiting in the pod for room, before
// that job is given back for another worker: this worker is busy with long jobs.
const GIVE_BACK_AFTER_MS = 1000;

export class Worker {
  private readonly core: WorkerCore;
  private readonly presence: WorkerPresence;
  private readonly requests: Requests;
  private readonly recorder: Recorder;
  private readonly lanes: LaneParts;
  // The pod's order, once the worker has registered.
  private pod: PodOrder | undefined;
  // The tick looks at the pod, the requests and the heartbeat without being woken by an event.
  private readonly tick: OneShot;
  private readonly fillSoon: Soon;
  private readonly lookSoon: Soon;
  // Gives back the jobs that have waited in the pod for room since it was started.
  private readonly giveBackTimer: OneShot;
  // Looks at the pod again after trouble that passes (a record that cannot be read now).
  private readonly retryTimer: OneShot;
  // Jobs in the pod that wait for room, with their records (read once).
  private readonly waiting = new Map<string, JobRecord>();
  // Jobs failing because this worker could never run them (they take no slot).
  private readonly refusing = new Set<string>();
  private lastJobAt = performance.now();
  // When a job last started here.
  private lastStartAt = 0;
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
    const attempts = new Attempts(this.core, this.requests, this.recorder);
    this.lanes = {core: this.core, requests: this.requests, recorder: this.recorder, attempts, presence: this.presence};
    this.tick = timers.oneShot(() => this.onTick());
    this.fillSoon = timers.soon(() => this.guarded(() => this.fill()));
    // While jobs run, a request is looked for once per turn of the event loop however many
    // events came in it.
    this.lookSoon = timers.soon(() =>
      this.guarded(() => {
        this.readFireRequest();
        this.requests.look();
      }),
    );
    this.giveBackTimer = timers.oneShot(() => this.guarded(() => this.giveBackWaiting()));
    this.retryTimer = timers.oneShot(() => this.fillSoon.ask());
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
    this.pod = new PodOrder(this.core.paths, this.core.id);
    this.core.state = {name: 'working'};
    this.scheduleTick();
    const {slots} = this.core.capacity;
    this.core.log(
      `worker ${this.core.id} started on ${this.core.host} (pid ${process.pid}) with ${slots} slot${slots === 1 ? '' : 's'}, home ${this.core.paths.root}`,
    );
    this.wake();
    return done;
  }

  // Asks the worker to stop: 'drain' finishes the running jobs first, 'now' stops them and
  // puts them back in jobqueue/. A second call can only make the stop more urgent.
  stop(mode: StopMode, why: string): void {
    const {core} = this;
    if (!moreUrgent(mode, core.leaving)) return;
    core.leaving = {mode, why};
    if (mode === 'now') for (const lane of core.lanes.values()) lane.run?.job.stop(core.graceMs);
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
      'this worker was presumed lost (its pod was taken away): stopping its jobs and leaving; its jobs were recovered',
    );
    for (const lane of core.lanes.values()) lane.run?.job.stop(0);
    core.pause.cutShort();
    if (core.lanes.size === 0) this.leave();
  }

  private wake(): void {
    if (this.core.lanes.size > 0) this.lookSoon.ask();
    this.fillSoon.ask();
  }

  // Looks at the pod and the requests on a timer, for what no event announces (a dispatcher or
  // a recruiter on another host): every tick while jobs run, every heartbeat after ten seconds
  // without a job. The heartbeat rides on the same timer, so an idle worker wakes once per beat.
  private scheduleTick(): void {
    const {tickMs, heartbeatMs} = this.core;
    const idleFor = this.core.lanes.size > 0 ? 0 : performance.now() - this.lastJobAt;
    this.tick.start(idleFor > 10_000 ? heartbeatMs : Math.min(tickMs, heartbeatMs));
  }

  private onTick(): void {
    this.presence.beatIfDue();
    // Requests written on other hosts raise no event here; an idle worker has nothing to
    // cancel, so it does not look (idle ticks stay as cheap as they can be).
    if (this.core.lanes.size > 0) this.requests.lookSoon();
    this.wake();
    if (this.core.state.name !== 'stopped') this.scheduleTick();
  }

  private readFireRequest(): void {
    const mode = this.requests.fire();
    if (mode !== undefined) this.stop(mode, mode === 'now' ? 'fired with --now' : 'fired');
  }

  // Runs an action of the loop; a fence found on the way makes the worker leave.
  private guarded(action: () => void): void {
    try {
      action();
    } catch (error) {
      if (!(error instanceof FencedError)) {
        this.crash(error);
        return;
      }
      this.onFenced();
    }
  }

  // One look at the pod: every job that fits the free capacity, in hand-out order, goes into a
  // lane of its own and runs; the others wait for room (and are given back if they wait long).
  // A worker asked to leave takes no more jobs, gives back those not started, and leaves once
  // its lanes are empty.
  private fill(): void {
    const {core} = this;
    if (core.state.name !== 'working') return;
    if (core.home.gone && !core.home.check()) {
      // Nothing can be done in a home that is not there; told to stop, the worker leaves
      // without it once its jobs have ended (its pod is recovered once the home is back).
      if (core.leaving !== undefined && core.lanes.size === 0) this.leave();
      return;
    }
    this.readFireRequest();
    if (core.leaving !== undefined) {
      this.presence.unannounce();
      if (core.lanes.size === 0) {
        this.leave();
      } else if (core.leaving.mode === 'drain') {
        this.recorder.giveBackWaiting(this.pendingJobs(), {kind: 'not-started', why: core.leaving.why});
        this.waiting.clear();
      }
      return;
    }
    // Nothing is taken through a directory that is unsafe now; the next tick looks again.
    if (core.guard.unsafe()) return;
    const pending = this.pendingJobs();
    for (const id of [...this.waiting.keys()]) if (!pending.includes(id)) this.waiting.delete(id);
    for (const id of pending) {
      if (core.slots.full) break;
      if (this.refusing.has(id)) continue;
      const record = this.waiting.get(id) ?? this.readRecord(id);
      if (record === undefined) continue;
      const request = record.request ?? DEFAULT_REQUEST;
      const never = core.slots.never(request);
      if (never !== undefined) {
        this.refuse(record, never);
        continue;
      }
      if (!core.slots.fitsNow(request)) {
        this.waiting.set(id, record);
        continue;
      }
      this.waiting.delete(id);
      this.start(id, record, request);
    }
    if (this.waiting.size > 0) {
      this.giveBackTimer.soon(GIVE_BACK_AFTER_MS);
    } else {
      this.giveBackTimer.clear();
    }
    if (core.lanes.size === 0 && this.requests.any) {
      tolerate(core, 'clear cancel requests', () => this.requests.dropStale(pending));
    }
    if (!this.presence.announced) tolerate(core, 'announce this worker', () => this.presence.announce());
  }

  // The pod's jobs, in hand-out order, that are not running here yet.
  private pendingJobs(): string[] {
    return (this.pod?.jobs() ?? []).filter((id) => !this.core.lanes.has(id));
  }

  private readRecord(id: string): JobRecord | undefined {
    try {
      return recordFor(this.core.paths, id);
    } catch (error) {
      const code = errnoCode(error);
      if (!isRetryableMoveError(code)) throw error;
      // Its record cannot be read now: the job waits in the pod, and is looked at again soon.
      if (this.presence.trouble !== code) {
        this.presence.trouble = code;
        this.core.log(
          `${id}: cannot start it now (${describeError(error)}); trying again every ${formatDuration(this.core.retryIoMs)}`,
        );
      }
      this.retryTimer.soon(this.core.retryIoMs);
      return undefined;
    }
  }

  // Starts job `id` in a lane of its own, holding what it asks for until it has left the pod.
  private start(id: string, record: JobRecord, request: Request): void {
    const {core} = this;
    this.lastJobAt = performance.now();
    this.lastStartAt = this.lastJobAt;
    const lane: Lane = {id, holding: core.slots.take(id, request), run: undefined, note: undefined};
    core.lanes.set(id, lane);
    runLane(this.lanes, lane, record).then(
      () => this.laneEnded(lane),
      (error: unknown) => this.laneFailed(lane, error),
    );
  }

  private laneEnded(lane: Lane): void {
    const {core} = this;
    core.lanes.delete(lane.id);
    core.slots.release(lane.id);
    this.lastJobAt = performance.now();
    if (core.state.name !== 'working') return;
    if (core.leaving !== undefined && core.lanes.size === 0) this.leave();
    else this.fillSoon.ask();
  }

  private laneFailed(lane: Lane, error: unknown): void {
    if (error instanceof FencedError) {
      this.onFenced();
      this.laneEnded(lane);
      return;
    }
    this.crash(error);
  }

  // Fails a job this worker could never run (it asks for more than the worker has in all).
  private refuse(record: JobRecord, why: string): void {
    const {id} = record;
    this.refusing.add(id);
    const failure = unrunnable(new FjdError('JOB_BAD_VALUE', `the job ${why}`));
    closeAttempt(this.lanes.attempts.begin(record), null, null, failure, 'failed');
    this.recorder
      .end(record, 'failed', failure)
      .then(() => {
        this.refusing.delete(id);
        this.fillSoon.ask();
      })
      .catch((error: unknown) => {
        this.refusing.delete(id);
        if (error instanceof FencedError) this.onFenced();
        else this.crash(error);
      });
  }

  // The jobs that wait for room go back to jobqueue/, for a worker with room elsewhere, once no
  // job has started here for a while (what runs is long); otherwise they wait a while more.
  private giveBackWaiting(): void {
    if (this.core.leaving !== undefined || this.waiting.size === 0) return;
    const quietFor = performance.now() - this.lastStartAt;
    if (quietFor < GIVE_BACK_AFTER_MS) {
      this.giveBackTimer.start(GIVE_BACK_AFTER_MS - quietFor);
      return;
    }
    this.recorder.giveBackWaiting([...this.waiting.keys()], {kind: 'given-back'});
    this.waiting.clear();
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
    core.state = {name: 'stopped'};
    this.settle?.resolve(summary);
  }

  private stopWatching(): void {
    this.presence.close();
    this.core.timers.clearAll();
  }

  private crash(error: unknown): void {
    if (this.core.state.name === 'stopped') return;
    this.stopWatching();
    for (const lane of this.core.lanes.values()) lane.run?.job.stop(0);
    this.core.state = {name: 'stopped'};
    this.settle?.reject(error);
  }
}
