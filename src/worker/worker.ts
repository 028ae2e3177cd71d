// A worker: one process with N slots. It registers in the home, announces that it takes jobs
// (workerqueue/W), and runs at once whatever the dispatcher moves into its pod, each job when
// it fits its free slots, cpus, memory and GPUs; it records each outcome and ends the job file
// in done/ or failed/. It renews one heartbeat so that dispatchers on any host can tell it is
// alive. It stops when fired (a file in its directory), when asked to by a signal (the CLI
// calls stop()), or when it finds its pod taken away: then it was presumed dead, its jobs were
// recovered elsewhere, and it must record nothing.
//
// This file holds the lifecycle and the loop: fill() starts a lane for each job that the pod's
// intake takes (pod-intake.ts: hand-out order, first fit into the free slots, slots.ts), and
// lane.ts is the path of one job: prepared and run (attempt.ts), recorded (recorder.ts). Its
// states, and what it may be asked, are written once in core.ts; presence.ts registers it,
// announces it, beats and notices a fence; requests.ts reads fire and cancel requests;
// util/timers.ts holds every timer.
import type {HomePaths} from '../home/layout.js';
import {FIRE_REQUEST} from '../home/paths.js';
import {FencedError} from '../home/transitions.js';
import type {JobRecord} from '../home/record.js';
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
import {Attempts} from './attempt.js';
import {runLane, type LaneParts} from './lane.js';
import {PodIntake} from './pod-intake.js';
import type {Allocation} from './slots.js';
import {WorkerPresence} from './presence.js';
import {Recorder} from './recorder.js';
import {Requests} from './requests.js';
import type {OneShot, Soon} from '../util/timers.js';

export type {StopMode, WorkerOptions, WorkerSummary} from './core.js';

export class Worker {
  private readonly core: WorkerCore;
  private readonly presence: WorkerPresence;
  private readonly requests: Requests;
  private readonly recorder: Recorder;
  private readonly lanes: LaneParts;
  private readonly intake: PodIntake;
  // The tick looks at the pod, the requests and the heartbeat without being woken by an event.
  private readonly tick: OneShot;
  private readonly fillSoon: Soon;
  private readonly lookSoon: Soon;
  private readonly fireSoon: Soon;
  private lastJobAt = performance.now();
  private settle: {resolve: (summary: WorkerSummary) => void; reject: (error: unknown) => void} | undefined;

  constructor(options: WorkerOptions) {
    this.core = createCore(options);
    const {timers} = this.core;
    this.requests = new Requests(this.core);
    this.presence = new WorkerPresence(this.core, {
      fenced: () => this.onFenced(),
      podChanged: (event, name) => {
        this.intake.podChanged(event, name);
        this.wake();
      },
      dirChanged: (name) => {
        // A fire request raises an event here when it is written on this host.
        if (name === undefined || name === FIRE_REQUEST) this.fireSoon.ask();
        if (this.requests.noticed(name)) this.wake();
      },
    });
    this.recorder = new Recorder(this.core, this.presence, (id) => this.intake.left(id));
    const attempts = new Attempts(this.core, this.requests, this.recorder);
    this.lanes = {core: this.core, requests: this.requests, recorder: this.recorder, attempts, presence: this.presence};
    this.tick = timers.oneShot(() => this.onTick());
    this.fillSoon = timers.soon(() => this.guarded(() => this.fill()));
    // While jobs run, cancel requests are looked for once per turn of the event loop however
    // many events came in it. A fire request is looked for when an event names it and on the
    // tick (one written on another host raises no event here), never per job.
    this.lookSoon = timers.soon(() => this.guarded(() => this.requests.look()));
    this.fireSoon = timers.soon(() => this.readFireRequest());
    this.intake = new PodIntake(this.core, this.presence, this.recorder, attempts, {
      again: () => this.fillSoon.ask(),
      failed: (error) =>
        this.guarded(() => {
          throw error;
        }),
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
    this.intake.open();
    this.core.state = {name: 'working'};
    this.scheduleTick();
    // A request written before the directory was watched raised no event.
    this.fireSoon.ask();
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
    this.readFireRequest();
    // Requests written on other hosts raise no event here; an idle worker has nothing to
    // cancel, so it does not look (idle ticks stay as cheap as they can be).
    if (this.core.lanes.size > 0) this.requests.lookSoon();
    this.intake.ticked();
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
    if (core.leaving !== undefined) {
      this.presence.unannounce();
      if (core.lanes.size === 0) {
        this.leave();
      } else if (core.leaving.mode === 'drain') {
        this.intake.giveBackAll({kind: 'not-started', why: core.leaving.why});
      }
      return;
    }
    // Nothing is taken through a directory that is unsafe now; the next tick looks again. An
    // empty pod takes nothing, so an idle worker does not look (it costs no stat).
    const pending = this.intake.pending();
    if (pending.length > 0 && core.guard.unsafe()) return;
    for (const {id, record, allocation} of this.intake.take(pending)) this.start(id, record, allocation);
    if (core.lanes.size === 0 && this.requests.any) {
      tolerate(core, 'clear cancel requests', () => this.requests.dropStale(pending));
    }
    if (!this.presence.announced) tolerate(core, 'announce this worker', () => this.presence.announce());
  }

  // Starts job `id` in a lane of its own, holding what it asks for until it has left the pod.
  private start(id: string, record: JobRecord, allocation: Allocation): void {
    const {core} = this;
    this.lastJobAt = performance.now();
    const lane: Lane = {id, holding: allocation, run: undefined, note: undefined};
    core.lanes.set(id, lane);
    runLane(this.lanes, lane, record).then(
      () => this.laneEnded(lane),
      (error: unknown) => this.laneFailed(lane, error),
    );
  }

  private laneEnded(lane: Lane): void {
    const {core} = this;
    core.lanes.delete(lane.id);
    core.slots.release(lane.holding.slot);
    this.lastJobAt = performance.now();
    if (core.state.name !== 'working') return;
    if (core.leaving !== undefined && core.lanes.size === 0) {
      this.leave();
      return;
    }
    this.intake.laneEnded();
    this.fillSoon.ask();
  }

  private laneFailed(lane: Lane, error: unknown): void {
    if (error instanceof FencedError) {
      this.onFenced();
      this.laneEnded(lane);
      return;
    }
    this.crash(error);
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
    this.core.starter.close();
  }

  private crash(error: unknown): void {
    if (this.core.state.name === 'stopped') return;
    this.stopWatching();
    for (const lane of this.core.lanes.values()) lane.run?.job.stop(0);
    this.core.state = {name: 'stopped'};
    this.settle?.reject(error);
  }
}
