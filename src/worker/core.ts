// What the parts of a worker share: who it is in the home, its options, its state, its slots
// and the jobs in them, what it is asked to do, its timers and its tally. A worker is one
// process with N slots; its states are written here, once:
//
//   state     its data                     entered                            left for
//   starting  -                            run() is called                    working once registered and
//                                                                             announced; stopped when it
//                                                                             cannot register
//   working   lanes: the jobs taken from   registered                         stopped when it leaves (asked
//             the pod, each in its slot                                       to, with no lane left; or fenced)
//             with what it holds (slots.ts)
//   stopped   -                            it has left the home (or crashed): -
//                                          run() has resolved (or rejected)
//
// A job is in a lane from the moment it is taken from the pod (it fits the free capacity) until
// it has left the pod (done/, failed/, back to jobqueue/); its lane's `run` is the attempt
// running now. What the worker is asked is apart from its state, and only ever becomes more
// urgent: staying (undefined) → drain (fired: finish the running jobs, give back those not
// started, then leave) → now (fired --now, SIGTERM, Ctrl-C: stop the jobs, put them back,
// leave) → fenced (its pod was taken away, it was presumed lost: stop the jobs, record
// nothing, leave).
import {errnoCode} from '../errors.js';
import {GUARD_LOOK_EVERY_MS, HomeGuard} from '../home/directories.js';
import {DEFAULT_HEARTBEAT_MS} from '../home/heartbeat.js';
import {ensureHome, homeDirectories, type HomePaths} from '../home/layout.js';
import {HomePresence, homeGoneMessage} from '../home/presence.js';
import type {CurrentJob} from '../home/current-job.js';
import type {Capacity} from '../job/resources.js';
import type {RunningJob} from '../run/run-job.js';
import {JobStarter} from '../run/job-starter.js';
import {hostName} from '../util/host.js';
import {isRetryableMoveError} from '../util/transient.js';
import {Timers, type Pause} from '../util/timers.js';
import {Slots, type Allocation} from './slots.js';

export type StopMode = 'drain' | 'now';

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
  // What the process offers its jobs (worker/capacity.ts detects it from the options);
  // absent: one slot, one cpu, memory not counted, no GPU.
  capacity?: Capacity;
}

export interface WorkerSummary {
  id: string;
  finished: number;
  failed: number;
  requeued: number;
  fenced: boolean;
}

// An attempt that runs now, and what was done to it while it ran.
export interface Run {
  readonly id: string;
  readonly job: RunningJob;
  // Its [control] timeout, if it has one.
  readonly timeoutMs: number | undefined;
  // Stopped because it ran out of that time.
  timedOut: boolean;
  // Stopped because `fjd cancel` asked.
  cancelled: boolean;
}

export type WorkerState = {name: 'starting'} | {name: 'working'} | {name: 'stopped'};

// A job in one of the worker's slots, from the pod until it has left the pod.
export interface Lane {
  readonly id: string;
  readonly holding: Allocation;
  // The attempt running now; undefined while it is prepared, waits for a retry or is recorded.
  run: Run | undefined;
  // Its entry in the note of running jobs (`current`), once an attempt has started.
  note: CurrentJob | undefined;
}

// What the worker is asked to do: leave after its job (drain), leave now, or leave because it
// was fenced. `why` says who asked, for the records ("received SIGTERM", "fired").
export type Leaving = {mode: StopMode; why: string} | {mode: 'fenced'};

const URGENCY: Record<Leaving['mode'], number> = {drain: 1, now: 2, fenced: 3};

// Whether being asked `mode` is more urgent than what the worker is asked already.
export function moreUrgent(mode: Leaving['mode'], than: Leaving | undefined): boolean {
  return than === undefined || URGENCY[mode] > URGENCY[than.mode];
}

export interface WorkerCore {
  readonly paths: HomePaths;
  readonly host: string;
  // Set once it has registered ('' before).
  id: string;
  readonly options: WorkerOptions;
  readonly tickMs: number;
  readonly graceMs: number;
  readonly heartbeatMs: number;
  readonly retryIoMs: number;
  readonly capacity: Capacity;
  readonly log: (line: string) => void;
  state: WorkerState;
  // The jobs taken from the pod, by id, and what of the capacity they hold.
  readonly lanes: Map<string, Lane>;
  readonly slots: Slots;
  leaving: Leaving | undefined;
  // Looks at the home's directories again before a job is taken from the pod or moved out of it.
  readonly guard: HomeGuard;
  // Whether the home is there: while it is gone (renamed away, unmounted), the worker waits.
  readonly home: HomePresence;
  readonly timers: Timers;
  // The waits of its jobs (a retry's delay, trouble waited out), each under the job's id: cut
  // short all together when it is told to stop now or fenced, one when its job is cancelled.
  readonly pause: Pause;
  readonly summary: WorkerSummary;
  // Its environment, the unset names left out: what jobs get under theirs, and the job starter's.
  readonly env: Record<string, string>;
  // Starts its jobs (run/job-starter.ts).
  readonly starter: JobStarter;
}

// A worker's core, starting: the home made sure of, the options' defaults filled in.
export function createCore(options: WorkerOptions): WorkerCore {
  const paths = ensureHome(options.home, {groupShared: options.groupShared === true});
  const tickMs = options.tickMs ?? 1000;
  const {log} = options;
  const timers = new Timers();
  const capacity = options.capacity ?? {slots: 1, cpus: 1, memoryBytes: null, gpus: []};
  const env = definedOnly(options.env);
  return {
    paths,
    host: hostName(),
    id: '',
    options,
    tickMs,
    graceMs: options.graceMs ?? 5000,
    heartbeatMs: options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS,
    retryIoMs: options.retryIoMs ?? 5000,
    capacity,
    log,
    state: {name: 'starting'},
    lanes: new Map(),
    slots: new Slots(capacity),
    leaving: undefined,
    guard: new HomeGuard(
      paths.root,
      homeDirectories(paths),
      {groupShared: options.groupShared === true},
      GUARD_LOOK_EVERY_MS,
      (problem) =>
        log(
          problem === undefined
            ? "the home's directories are safe again; going on"
            : `${problem.message}; nothing is moved through it until that is fixed. ${problem.hint ?? ''}`,
        ),
    ),
    home: new HomePresence(paths, (missing) =>
      log(
        missing === undefined
          ? `the home ${paths.root} is back; going on`
          : `${homeGoneMessage(paths, missing)}; a running job goes on`,
      ),
    ),
    timers,
    pause: timers.pause(),
    summary: {id: '', finished: 0, failed: 0, requeued: 0, fenced: false},
    env,
    starter: new JobStarter({choice: env.FJD_JOB_STARTER, env, log}),
  };
}

// Whether the worker is told to stop its jobs at once: fired --now, a signal, or fenced.
export function stoppingNow(core: WorkerCore): boolean {
  return core.leaving !== undefined && core.leaving.mode !== 'drain';
}

export function isFenced(core: WorkerCore): boolean {
  return core.leaving?.mode === 'fenced';
}

// Why the worker is told to stop now ("received SIGTERM"), or undefined when it is not (it is
// fenced, told to drain, or staying).
export function whyNow(core: WorkerCore): string | undefined {
  const {leaving} = core;
  return leaving?.mode === 'now' ? leaving.why : undefined;
}

// Runs a write that only informs (an announcement, the running-job note, a record between
// retries): on a full or read-only disk it says so and the work goes on; a later tick or
// write tries again.
export function tolerate(core: WorkerCore, what: string, action: () => void): void {
  try {
    action();
  } catch (error) {
    const code = errnoCode(error);
    if (isRetryableMoveError(code)) core.log(`cannot ${what} (${code ?? ''}); going on`);
    else if (code !== 'ENOENT' || core.home.check()) throw error;
  }
}

// An environment without its unset names.
function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  const defined: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined) defined[name] = value;
  return defined;
}
