// The dispatcher pairs jobs in jobqueue/ with idle workers in workerqueue/. It is driven by
// filesystem events (names carried by inotify, no re-listing per event) and by a periodic
// rescan, which is the source of truth: events never cross hosts on a shared filesystem.
// It keeps no state that the directories do not also hold, so it can be killed at any
// moment and started again.
import fs from 'node:fs';
import path from 'node:path';
import {ensureHome, homeDirectories, type HomePaths} from '../home/layout.js';
import {HomeGuard, isHomeProblem} from '../home/directories.js';
import {listDir, readJson} from '../home/atomic.js';
import {dependencyKeys, idNumber, isIgnoredName} from '../home/names.js';
import {isOddName, notAJobReason, oddNames, refuseEntry} from '../home/refuse.js';
import {announcementPath, heartbeatPath, infoPath, lockPath, podDir, podDirsOf, recordIdOf, workerDir} from '../home/paths.js';
import {assignJob, PodClosedError} from '../home/transitions.js';
import {readRecord} from '../home/record.js';
import type {WorkerInfo} from '../home/registry.js';
import {DEFAULT_MAX_ATTEMPTS, recoverLostWorker} from '../home/recover.js';
import {describeError, errnoCode} from '../errors.js';
import {hostName, processLiveness} from '../util/host.js';
import {isRetryableMoveError} from '../util/transient.js';
import {HomePresence, homeGoneMessage} from '../home/presence.js';
import {crashPoint} from '../util/crash-point.js';
import {DispatcherLock} from './lock.js';
import {ServerClock} from './server-clock.js';
import {HeldOpen} from './held-open.js';
import {carryOutOpenCancels, requestOpenCancel} from '../home/cancel-requests.js';
import {FailureLog} from '../home/failure-log.js';
import {mergeLimits, parseLimits} from '../home/limits.js';
import {readJobMeta, type JobMeta} from '../home/job-meta.js';
import {zeroLimitWarnings} from './limits.js';
import {WorkerLeases} from './lease.js';
import {ReadyQueue} from './schedule.js';
import {dropPriorityOverride} from '../home/priority.js';
import {formatDuration} from '../util/duration.js';
import {watchDir, type DirWatch} from '../util/watch-dir.js';
import {watchTrouble, watchTroubleLine} from '../util/watch-trouble.js';

export interface DispatcherOptions {
  home: string;
  // Keep running when the queue is empty, for jobs that arrive later.
  watch: boolean;
  // How long a file written in place must stay unchanged before it is taken.
  settleMs?: number;
  // How long a newly appeared file is watched for signs of an in-place writer.
  probeMs?: number;
  // How often the directories are listed again without an event.
  rescanMs?: number;
  // A worker whose heartbeat has not changed for this long is presumed dead (for a worker
  // whose heartbeat is longer than a third of it: three of its heartbeats, see lease.ts).
  leaseMs?: number;
  // How many lost workers a job may see before it fails with "worker lost".
  maxAttempts?: number;
  // Allow a home that its group may write.
  groupShared?: boolean;
  // How long to wait before assigning again when the filesystem refuses (full, read-only).
  retryIoMs?: number;
  // Group limits (--limit NAME=K); they win over the home's `limits` file.
  limits?: Map<string, number>;
  // How many jobs found by listing are read ahead of the pairing (default 2,000).
  readAhead?: number;
  onEvent?: (event: DispatcherEvent) => void;
}

export type DispatcherEvent =
  | {type: 'started'; home: string; jobs: number; workers: number; running: number}
  | {type: 'found'; count: number}
  // No worker may take a job now: `workers` are registered and alive, `busy` of them hold jobs.
  | {type: 'waiting-for-workers'; jobs: number; workers: number; busy: number}
  | {type: 'not-a-job'; name: string; kind: string}
  | {type: 'job-ended'; id: string; name: string; outcome: 'finished' | 'failed'; reason: string | null}
  | {type: 'job-requeued'; id: string; name: string; reason: string | null}
  | {type: 'worker-lost'; worker: string; why: string; requeued: string[]; failed: string[]}
  | {type: 'waiting-for-lock'; message: string}
  | {type: 'worker-left'; worker: string}
  | {type: 'warning'; message: string}
  // A directory of the home fjd may not trust now (src/home/directories.ts): nothing is moved
  // through it until it is fixed; then 'home-safe'.
  | {type: 'home-unsafe'; path: string | null; message: string; hint: string | null}
  | {type: 'home-safe'};

export interface DispatchSummary {
  finished: number;
  failed: number;
  requeued: number;
  failedJobs: {id: string; reason: string | null}[];
  wallMs: number;
  interrupted: boolean;
  // The home's totals at the end, with the jobs of earlier runs: done/ and failed/ as listed
  // at the start plus the ends seen since, and the jobs not yet ended (queued or handed out).
  home: {finished: number; failed: number; open: number};
}

// What a progress display shows: jobs known in jobqueue/, jobs handed out and not yet ended,
// workers that hold a job now, and the jobs that ended during this run.
export interface DispatchProgress {
  open: number;
  assigned: number;
  running: number;
  finished: number;
  failed: number;
}

interface Candidate {
  // 'scan': found by listing (its age decides); 'event': seen to appear.
  source: 'scan' | 'event';
  state: 'probing' | 'settling' | 'ready';
  changed: boolean;
  size: number;
  mtimeMs: number;
  timer: NodeJS.Timeout | undefined;
}

interface WorkerState {
  id: string;
  // It has announced itself: it may be given jobs.
  ready: boolean;
  // How long its last job took, which decides whether it gets a second one in advance.
  lastDurationMs: number | undefined;
  // Job ids given to this worker and not yet seen to end, with their names.
  inflight: Map<string, string>;
  host: string | undefined;
  pid: number | undefined;
  procStart: string | null;
  // The last heartbeat content seen, and when it last changed (our monotonic clock).
  beat: string | undefined;
  beatChangedAt: number;
  // How long its heartbeat may stay unchanged (lease.ts).
  leaseMs: number;
  // It sees a job handed to it at once (a watch on this host); false: only when it next
  // looks at its pod (another host, or no inotify: up to a heartbeat later when idle).
  seesAtOnce: boolean;
  // Its info.json has been read (it is written just after the worker's first announcement).
  infoRead: boolean;
}

// How many jobs found by listing are read ahead of the pairing (see readUnread).
const READ_AHEAD = 2000;
// The background read of a backlog beyond that window (see sweep): a slice of this many ms,
// then a pause of SWEEP_PAUSE_MS, so that it takes at most a fifth of a core from the jobs.
const SWEEP_SLICE_MS = 10;
const SWEEP_PAUSE_MS = 40;
// Every name found by listing starts the same way: ready, with nothing seen of it yet.
const FOUND_BY_LISTING: Candidate = {source: 'scan', state: 'ready', changed: false, size: -1, mtimeMs: -1, timer: undefined};

// The jobs in jobqueue/ by name, and, from the first dependency looked up on, also by the
// names a dependency may use for them (dependencyKeys): `a` finds `a.ini` and `a~2.ini` at
// once, however long the backlog. Most keys name one job: a bare string, not a list.
class Candidates extends Map<string, Candidate> {
  private byKey: Map<string, string | string[]> | undefined;

  override set(name: string, candidate: Candidate): this {
    if (this.byKey !== undefined && !super.has(name)) this.index(this.byKey, name);
    return super.set(name, candidate);
  }

  override delete(name: string): boolean {
    if (this.byKey === undefined || !super.has(name)) return super.delete(name);
    for (const key of dependencyKeys(name)) {
      const names = this.byKey.get(key);
      if (names === name) this.byKey.delete(key);
      else if (Array.isArray(names)) {
        const rest = names.filter((n) => n !== name);
        this.byKey.set(key, rest.length === 1 ? (rest[0] ?? '') : rest);
      }
    }
    return super.delete(name);
  }

  // The names of jobs in jobqueue/ that a dependency named `key` means.
  namesFor(key: string): readonly string[] {
    if (this.byKey === undefined) {
      this.byKey = new Map();
      for (const name of this.keys()) this.index(this.byKey, name);
    }
    const names = this.byKey.get(key);
    return names === undefined ? [] : typeof names === 'string' ? [names] : names;
  }

  private index(byKey: Map<string, string | string[]>, name: string): void {
    for (const key of dependencyKeys(name)) {
      const names = byKey.get(key);
      if (names === undefined) byKey.set(key, name);
      else if (typeof names === 'string') byKey.set(key, [names, name]);
      else names.push(name);
    }
  }
}

export class Dispatcher {
  readonly paths: HomePaths;
  private readonly options: DispatcherOptions;
  private readonly settleMs: number;
  private readonly probeMs: number;
  private readonly rescanMs: number;
  private readonly leaseMs: number;
  private readonly leases: WorkerLeases;
  private readonly maxAttempts: number;
  private readonly retryIoMs: number;
  private lock: DispatcherLock | undefined;
  // Whether a watch failed, so that changes are found by rescans alone.
  private polling = false;
  // The file server's time, from our lock's mtime at each renewal (server-clock.ts).
  private readonly serverClock = new ServerClock();
  // Files that have settled but are still open for writing on this host (held-open.ts).
  private heldOpen: HeldOpen | undefined;
  private pausedUntil = 0;
  private ioTrouble = false;
  private pauseTimer: NodeJS.Timeout | undefined;
  private readonly host = hostName();
  private readonly emit: (event: DispatcherEvent) => void;
  private readonly candidates = new Candidates();
  // Open jobs in the order they go out (schedule.ts); names found by listing wait in `unread`
  // until their files have been read for priority, group and dependencies.
  private readonly queue = new ReadyQueue();
  private arrivals = 0;
  private lastAssignedMs = 0;
  private unread: string[] = [];
  private unreadHead = 0;
  private readingTimer: NodeJS.Timeout | undefined;
  private readonly readAhead: number;
  // What the sweep has found of unread[i] (NaN: not yet swept), and how far it has come.
  private unreadPriority: number[] = [];
  private unreadSubmitted: number[] = [];
  private sweepAt = 0;
  private sweepTimer: NodeJS.Timeout | undefined;
  // Jobs held back: by their group's limit (per group, in order), and by their dependencies
  // (per name they wait for).
  private readonly heldByLimit = new Map<string, JobMeta[]>();
  private readonly heldByDeps = new Map<string, JobMeta[]>();
  // Jobs that name a dependency not (yet) known, since when (our monotonic clock).
  private readonly unknownSince = new Map<string, number>();
  private readonly heldUnknown: JobMeta[] = [];
  private unknownTimer: NodeJS.Timeout | undefined;
  private readonly unknownGraceMs: number;
  private readonly groupOf = new Map<string, string>();
  private limits = new Map<string, number>();
  private limitsFileStamp = '';
  // How jobs ended, by the names a dependency may use (dependencyKeys): done/ and failed/ as
  // listed at the start, then every end seen.
  private readonly ended = new Map<string, 'finished' | 'failed'>();
  private failures: FailureLog | undefined;
  private readonly notJobs = new Set<string>();
  private readonly workers = new Map<string, WorkerState>();
  // Which worker holds each job id handed out.
  private readonly owners = new Map<string, WorkerState>();
  private readonly nextNumber = new Map<string, number>();
  private watches: DirWatch[] = [];
  private rescanTimer: NodeJS.Timeout | undefined;
  private foundSinceReport = 0;
  private foundTimer: NodeJS.Timeout | undefined;
  private toldNoWorkers = false;
  private pumping = false;
  // A listing that confirms the end is under way (see maybeFinish).
  private confirming = false;
  private finished = false;
  private readonly summary: DispatchSummary = {
    finished: 0,
    failed: 0,
    requeued: 0,
    failedJobs: [],
    wallMs: 0,
    interrupted: false,
    home: {finished: 0, failed: 0, open: 0},
  };
  // done/ and failed/ as listed at the start, less the failures counted as seen by this run.
  private readonly endedBefore = {finished: 0, failed: 0};
  private readonly startedAt = performance.now();
  // Looks at the home's directories again at every rescan, before a listing is used, and
  // before assigning (at most every 250 ms).
  private readonly homeGuard: HomeGuard;
  private resolve: ((summary: DispatchSummary) => void) | undefined;
  private reject: ((error: unknown) => void) | undefined;
  // Whether the home is there: while it is gone (renamed away, unmounted), nothing is done.
  private readonly presence: HomePresence;

  constructor(options: DispatcherOptions) {
    this.options = options;
    this.paths = ensureHome(options.home, {groupShared: options.groupShared === true});
    this.settleMs = options.settleMs ?? 1000;
    this.probeMs = options.probeMs ?? 2;
    this.rescanMs = options.rescanMs ?? 1000;
    this.readAhead = Math.max(1, options.readAhead ?? READ_AHEAD);
    // Five rescans: long enough for a job dropped on another host to be seen.
    this.unknownGraceMs = 5 * this.rescanMs;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.leases = new WorkerLeases(this.leaseMs, (message) => this.emit({type: 'warning', message}));
    this.maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    this.retryIoMs = options.retryIoMs ?? 5000;
    this.emit = options.onEvent ?? (() => undefined);
    this.homeGuard = new HomeGuard(this.paths.root, homeDirectories(this.paths), {groupShared: options.groupShared === true}, Math.min(250, this.rescanMs), (problem) =>
      this.emit(problem === undefined ? {type: 'home-safe'} : {type: 'home-unsafe', path: problem.path ?? null, message: problem.message, hint: problem.hint ?? null}),
    );
    this.presence = new HomePresence(this.paths, (missing) => this.homeChanged(missing));
  }

  // The home has gone, or is back. Heartbeats could not change while it was gone: the lease of
  // every worker starts again from now.
  private homeChanged(missing: string | undefined): void {
    if (missing !== undefined) {
      this.emit({type: 'warning', message: homeGoneMessage(this.paths, missing)});
      return;
    }
    for (const worker of this.workers.values()) worker.beatChangedAt = performance.now();
    this.emit({type: 'warning', message: `the home ${this.paths.root} is back; dispatching goes on`});
  }

  // Runs until the queue is empty and nothing runs (or forever with `watch`, until stop()).
  async run(): Promise<DispatchSummary> {
    const done = new Promise<DispatchSummary>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.lock = await DispatcherLock.acquire(this.paths, this.leaseMs, (message) => this.emit({type: 'waiting-for-lock', message}), this.options.limits);
    crashPoint('dispatch:locked');
    this.serverClock.learn(lockPath(this.paths));
    this.guard(() => {
      // Watch first, then list: a file that appears in between is seen by both, never by none.
      this.watches = [
        watchDir(this.paths.jobqueue, (event, name) => this.guard(() => this.onJobqueueEvent(event, name)), (e) =>
          this.watchFailed(this.paths.jobqueue, e),
        ),
        watchDir(this.paths.workerqueue, (_event, name) => this.guard(() => this.onWorkerqueueEvent(name)), (e) =>
          this.watchFailed(this.paths.workerqueue, e),
        ),
        watchDir(this.paths.records, (_event, name) => this.guard(() => this.onRecordEvent(name)), (e) =>
          this.watchFailed(this.paths.records, e),
        ),
        watchDir(this.paths.cancel, () => this.guard(() => this.carryOutCancels()), (e) => this.watchFailed(this.paths.cancel, e)),
        watchDir(this.paths.priority, (_event, name) => this.guard(() => this.onPriorityEvent(name)), (e) => this.watchFailed(this.paths.priority, e)),
      ];
      this.loadLimits();
      this.failures = new FailureLog(this.paths);
      const failedAtStart = this.loadEnded();
      this.loadWorkers();
      this.checkWorkers();
      // Before listing the queue: a cancel cut short by a crash is finished before its job
      // could be handed out.
      this.carryOutCancels(false);
      this.scanJobqueue();
      let running = 0;
      for (const worker of this.workers.values()) running += worker.inflight.size;
      this.emit({
        type: 'started',
        home: this.paths.root,
        jobs: this.candidates.size,
        workers: this.workers.size,
        running,
      });
      this.noticeMissedFailures(failedAtStart);
      this.scheduleRescanAfter(this.rescanMs);
      this.pump();
    }, false);
    return done;
  }

  // Jobs that failed while no dispatcher ran (see home/failure-log.ts) count as failures seen now.
  // `failed` is failed/ as listed at the start: what failed since was seen failing here.
  private noticeMissedFailures(failed: string[]): void {
    for (const id of this.failures?.unseen(failed.filter((id) => !this.owners.has(id))) ?? []) {
      const record = readRecord(this.paths, id);
      this.summary.failed++;
      this.endedBefore.failed--;
      this.summary.failedJobs.push({id, reason: record?.reason ?? null});
      this.emit({type: 'job-ended', id, name: record?.name ?? id, outcome: 'failed', reason: record?.reason ?? null});
      this.failures?.noteFailed(id);
    }
  }

  // Stops dispatching (Ctrl-C). Jobs already handed out run on; nothing is lost.
  stop(): void {
    this.summary.interrupted = true;
    this.end();
  }

  // The counts as they are now, for a progress display; cheap enough to ask often.
  progress(): DispatchProgress {
    let running = 0;
    for (const worker of this.workers.values()) if (worker.inflight.size > 0) running++;
    return {
      open: this.candidates.size,
      assigned: this.busyCount(),
      running,
      finished: this.summary.finished,
      failed: this.summary.failed,
    };
  }

  // Runs an action; once started (`waitOut`), trouble in the home that passes (permissions
  // changed for a moment, a full disk, the home gone) is waited out: the next rescan starts
  // again from the directories. Anything else stops the dispatcher.
  private guard(action: () => void, waitOut = true): void {
    if (this.finished) return;
    try {
      action();
    } catch (error) {
      if (!waitOut) this.fail(error);
      else if (isRetryableMoveError(errnoCode(error))) this.pause(describeError(error));
      else if (this.presence.check()) this.fail(error);
    }
  }

  private fail(error: unknown): void {
    if (this.finished) return;
    this.shutdown();
    this.reject?.(error);
  }

  // A watch failed (the inotify limit): said once, and noted in the lock for fjd status.
  private watchFailed(dir: string, error: unknown): void {
    if (this.polling) return;
    this.polling = true;
    const trouble = watchTrouble(error);
    this.lock?.notePolling(watchTroubleLine(trouble));
    const fix = trouble.fix === undefined ? '' : `; ${trouble.fix}`;
    this.emit({
      type: 'warning',
      message: `cannot watch ${dir} (${trouble.error}): ${trouble.what}${fix}. Until then this dispatcher rescans every ${formatDuration(this.rescanMs)} instead of being told of changes (fjd status shows it)`,
    });
  }

  // ---- jobs -------------------------------------------------------------------------------

  private onJobqueueEvent(event: 'rename' | 'change', name: string | undefined): void {
    if (name === undefined) {
      this.scanJobqueue();
      this.pump();
      return;
    }
    if (isIgnoredName(name) || this.notJobs.has(name)) return;
    if (isOddName(name)) {
      // Too long, or not the file's real name (not UTF-8): the listing deals with it.
      this.scanJobqueue();
      this.pump();
      return;
    }
    if (this.candidates.has(name)) {
      // Written to in place, or appeared again: let it settle.
      const known = this.own(name);
      known.changed = true;
      if (known.state === 'ready') this.settle(name, known);
      return;
    }
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(path.join(this.paths.jobqueue, name));
    } catch {
      return;
    }
    if (!this.isJobLike(name, stat)) return;
    const candidate: Candidate = {
      source: 'event',
      state: 'probing',
      changed: event === 'change',
      size: stat.size,
      mtimeMs: stat.mtimeMs,
      timer: undefined,
    };
    this.candidates.set(name, candidate);
    this.noteFound(1);
    // A short look for the write events of a producer that writes in place.
    candidate.timer = setTimeout(() => this.guard(() => this.probed(name)), this.probeMs);
  }

  private probed(name: string): void {
    const candidate = this.candidates.get(name);
    if (candidate === undefined || candidate.state !== 'probing') return;
    candidate.timer = undefined;
    if (candidate.changed || candidate.size === 0) {
      this.settle(name, candidate);
      return;
    }
    this.makeReady(name, candidate);
    this.pump();
  }

  // Holds a file until it has been left alone for settleMs.
  private settle(name: string, candidate: Candidate): void {
    candidate.state = 'settling';
    candidate.changed = false;
    if (candidate.timer !== undefined) clearTimeout(candidate.timer);
    candidate.timer = setTimeout(() => this.guard(() => this.settled(name)), this.settleMs);
  }

  private settled(name: string): void {
    const candidate = this.candidates.get(name);
    if (candidate === undefined || candidate.state !== 'settling') return;
    candidate.timer = undefined;
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(path.join(this.paths.jobqueue, name));
    } catch {
      this.candidates.delete(name);
      this.maybeFinish();
      return;
    }
    const moved = stat.size !== candidate.size || stat.mtimeMs !== candidate.mtimeMs;
    candidate.size = stat.size;
    candidate.mtimeMs = stat.mtimeMs;
    if (candidate.changed || moved) {
      this.settle(name, candidate);
      return;
    }
    // Quiet for settleMs, but still open for writing here: not complete yet.
    this.heldOpen ??= new HeldOpen(this.paths.jobqueue);
    const holder = this.heldOpen.holder(name);
    if (holder !== undefined) {
      const {writer} = holder;
      if (holder.first) this.emit({type: 'warning', message: `jobqueue/${name} is unchanged for ${formatDuration(this.settleMs)} but still open for writing by ${writer.command} (pid ${writer.pid}); it is taken once that closes it`});
      this.settle(name, candidate);
      return;
    }
    // Quiet for settleMs: take it as it is (an empty file fails with its reason).
    candidate.source = 'event';
    this.makeReady(name, candidate);
    this.pump();
  }

  // A candidate of this name that may be changed: names found by listing share one object
  // (a backlog of 100,000 needs no 100,000 of them) until one of them needs its own.
  private own(name: string): Candidate {
    const candidate = this.candidates.get(name);
    if (candidate !== undefined && candidate !== FOUND_BY_LISTING) return candidate;
    const mine: Candidate = {...FOUND_BY_LISTING};
    this.candidates.set(name, mine);
    return mine;
  }

  private makeReady(name: string, candidate: Candidate): void {
    candidate.state = 'ready';
    const meta = readJobMeta(this.paths.jobqueue, name, this.paths);
    if (meta === undefined) this.candidates.delete(name);
    else {
      meta.seq = candidate.source === 'event' ? ++this.arrivals : 0;
      this.queue.push(meta);
    }
  }

  // `fjd prioritize` set a job's priority: it takes its new place in line.
  private onPriorityEvent(name: string | undefined): void {
    if (name === undefined || isIgnoredName(name)) return;
    if (this.candidates.get(name)?.state !== 'ready') return;
    const meta = readJobMeta(this.paths.jobqueue, name, this.paths);
    if (meta === undefined) return;
    // Its own candidate: a name still waiting to be read ahead is passed by there.
    this.own(name);
    this.queue.push({...meta, seq: this.queue.meta(name)?.seq ?? this.heldMeta(name)?.seq ?? 0});
    this.pump();
  }

  // Reads the files of names found by listing, for their place in line, keeping `readAhead`
  // (2,000) jobs read ahead of the pairing: a backlog up to that size is wholly ordered before
  // its first job goes out. A larger one starts at once all the same, and costs no more memory
  // than the window (reading 100,000 files up front took 15 s and 50 MB, and slowed the first
  // jobs): the window is drawn in name order while the sweep reads the rest in the background;
  // a job of raised priority goes in line as soon as the sweep finds it, and once the sweep is
  // through, the rest is drawn strictly in order (priority, submission time, name).
  private readUnread(budgetMs: number): void {
    const started = performance.now();
    while (this.unreadHead < this.unread.length && this.queue.size < this.readAhead) {
      const name = this.unread[this.unreadHead++] ?? '';
      if (this.candidates.get(name) === FOUND_BY_LISTING && !this.queue.has(name)) {
        const meta = readJobMeta(this.paths.jobqueue, name, this.paths);
        if (meta === undefined) this.candidates.delete(name);
        else this.queue.push(meta);
      }
      if ((this.unreadHead & 255) === 0 && performance.now() - started > budgetMs) break;
    }
    if (this.unreadHead >= this.unread.length) {
      this.unread = [];
      this.unreadPriority = [];
      this.unreadSubmitted = [];
      this.unreadHead = 0;
      this.sweepAt = 0;
      return;
    }
    if (this.queue.size < this.readAhead) {
      this.readingTimer ??= setTimeout(() => {
        this.readingTimer = undefined;
        this.guard(() => {
          this.readUnread(20);
          this.pump();
        });
      }, 40);
    } else if (this.sweepAt < this.unread.length) {
      this.sweepTimer ??= setTimeout(() => {
        this.sweepTimer = undefined;
        this.guard(() => this.sweep());
      }, SWEEP_PAUSE_MS);
    }
  }

  // Reads the backlog beyond the window, a slice at a time, for each job's priority and
  // submission time. A job of raised priority (above the default 0) goes in line at once; when
  // the sweep is through, what is left unread is sorted, so that it is drawn in order.
  private sweep(): void {
    const started = performance.now();
    this.sweepAt = Math.max(this.sweepAt, this.unreadHead);
    let raised = false;
    while (this.sweepAt < this.unread.length) {
      const i = this.sweepAt++;
      const name = this.unread[i] ?? '';
      if (this.candidates.get(name) === FOUND_BY_LISTING && !this.queue.has(name)) {
        const meta = readJobMeta(this.paths.jobqueue, name, this.paths);
        if (meta === undefined) this.candidates.delete(name);
        else {
          this.unreadPriority[i] = meta.priority;
          this.unreadSubmitted[i] = meta.submittedMs;
          if (meta.priority > 0) {
            // Its own candidate: the window's draw passes it by.
            this.own(name);
            this.queue.push(meta);
            raised = true;
          }
        }
      }
      if ((this.sweepAt & 63) === 0 && performance.now() - started > SWEEP_SLICE_MS) break;
    }
    if (this.sweepAt >= this.unread.length) this.sortUnread();
    else {
      this.sweepTimer ??= setTimeout(() => {
        this.sweepTimer = undefined;
        this.guard(() => this.sweep());
      }, SWEEP_PAUSE_MS);
    }
    if (raised) this.pump();
  }

  // Puts what is left unread in the order it is to run, from what the sweep found.
  private sortUnread(): void {
    const order: number[] = [];
    for (let i = this.unreadHead; i < this.unread.length; i++) {
      if (!Number.isNaN(this.unreadPriority[i] ?? NaN) && this.candidates.get(this.unread[i] ?? '') === FOUND_BY_LISTING) order.push(i);
    }
    const priority = this.unreadPriority;
    const submitted = this.unreadSubmitted;
    const names = this.unread;
    order.sort((a, b) => (priority[b] ?? 0) - (priority[a] ?? 0) || (submitted[a] ?? 0) - (submitted[b] ?? 0) || ((names[a] ?? '') < (names[b] ?? '') ? -1 : 1));
    this.unread = order.map((i) => names[i] ?? '');
    this.unreadPriority = order.map((i) => priority[i] ?? 0);
    this.unreadSubmitted = order.map((i) => submitted[i] ?? 0);
    this.unreadHead = 0;
    this.sweepAt = this.unread.length;
  }

  private isJobLike(name: string, stat: fs.Stats): boolean {
    if (stat.isDirectory()) {
      this.notJobs.add(name);
      this.emit({type: 'not-a-job', name, kind: 'a directory'});
      return false;
    }
    return true;
  }

  // Lists jobqueue/ and takes note of names not yet known, in name order (a backlog queued at
  // once runs in the order of its names). Their type and age are checked when they are about
  // to be assigned, so a backlog of any size costs one listing of bare names here: no
  // directory entry objects, which for 100,000 names would be a large heap of garbage at
  // every rescan.
  private scanJobqueue(): number {
    let names: string[];
    try {
      names = fs.readdirSync(this.paths.jobqueue);
    } catch {
      return 0;
    }
    // A listing through a directory that is unsafe now (a link swapped in) is not used.
    if (this.homeGuard.unsafe(true)) return 0;
    let fresh = names.filter((name) => !this.candidates.has(name) && !this.notJobs.has(name) && !isIgnoredName(name));
    if (fresh.some(isOddName)) {
      // Names that cannot be jobs' (too long, not UTF-8) fail before anything derives from them.
      const odd = oddNames(this.paths.jobqueue, fresh);
      for (const entry of odd) this.refuse(entry.raw, entry.reason, entry.listedAs);
      const handled = new Set(odd.map((entry) => entry.listedAs));
      fresh = fresh.filter((name) => !handled.has(name));
    }
    fresh.sort();
    for (const name of fresh) {
      this.candidates.set(name, FOUND_BY_LISTING);
      this.unread.push(name);
      this.unreadPriority.push(NaN);
      this.unreadSubmitted.push(NaN);
    }
    this.readUnread(100);
    // Names that left without an event we saw are dropped when they come up for assignment.
    if (fresh.length > 0) this.noteFound(fresh.length);
    return fresh.length;
  }

  // Fails an entry of jobqueue/ that can never be a job into failed/ with its reason
  // (home/refuse.ts). One that cannot be moved is reported once and skipped from then on.
  private refuse(entry: Buffer | string, reason: string, key: string): void {
    this.candidates.delete(key);
    this.queue.delete(key);
    let refused;
    try {
      refused = refuseEntry(this.paths, entry, reason);
    } catch (error) {
      this.notJobs.add(key);
      const why = errnoCode(error) ?? describeError(error);
      this.emit({type: 'warning', message: `jobqueue/${key} cannot be a job (${reason}), and it cannot be moved into failed/ (${why}); leaving it alone until the dispatcher starts again`});
      return;
    }
    if (refused !== undefined) this.endedUnrun(refused.id, refused.name, refused.reason);
  }

  // A job that failed without running (refused, cancelled, a dependency failed): counted,
  // told, and what waited for it may go.
  private endedUnrun(id: string, name: string, reason: string): void {
    this.summary.failed++;
    this.summary.failedJobs.push({id, reason});
    this.emit({type: 'job-ended', id, name, outcome: 'failed', reason});
    this.failures?.noteFailed(id);
    this.noteEnded(name, 'failed');
  }

  private noteFound(count: number): void {
    this.foundSinceReport += count;
    this.foundTimer ??= setTimeout(() => {
      this.foundTimer = undefined;
      if (this.finished) return;
      this.emit({type: 'found', count: this.foundSinceReport});
      this.foundSinceReport = 0;
    }, 200);
  }

  // The next job that may be assigned now, or undefined. Jobs held back by a limit or by
  // their dependencies are set aside until an end frees them.
  private nextReady(): JobMeta | undefined {
    for (;;) {
      if (this.queue.size < this.readAhead && this.unreadHead < this.unread.length) this.readUnread(this.queue.size === 0 ? 50 : 1);
      const meta = this.queue.pop();
      if (meta === undefined) return undefined;
      const name = meta.name;
      const candidate = this.candidates.get(name);
      if (candidate === undefined || candidate.state !== 'ready') continue;
      let stat: fs.Stats;
      try {
        stat = fs.lstatSync(path.join(this.paths.jobqueue, name));
      } catch {
        if (!this.presence.check()) {
          // Not taken back: the whole home is gone for now.
          this.queue.push(meta);
          return undefined;
        }
        this.candidates.delete(name);
        continue;
      }
      const refusal = notAJobReason(stat) ?? (meta.unreadable === undefined ? undefined : `cannot read the job file (${meta.unreadable})`);
      if (refusal !== undefined) {
        this.refuse(name, refusal, name);
        continue;
      }
      if (!this.isJobLike(name, stat)) {
        this.candidates.delete(name);
        continue;
      }
      if (candidate.source === 'scan' && this.serverClock.ageOf(stat.mtimeMs) < this.settleMs) {
        // Found by listing and written moments ago, by the file server's clock: it may still
        // be being written.
        const mine = this.own(name);
        mine.size = stat.size;
        mine.mtimeMs = stat.mtimeMs;
        this.settle(name, mine);
        continue;
      }
      if (meta.group !== undefined && this.atLimit(meta.group)) {
        this.holdBack(this.heldByLimit, meta.group, meta);
        continue;
      }
      if (!this.dependenciesAllow(meta)) continue;
      return meta;
    }
  }

  private hasReady(): boolean {
    return this.queue.size > 0 || this.unreadHead < this.unread.length;
  }

  private holdBack(held: Map<string, JobMeta[]>, key: string, meta: JobMeta): void {
    const list = held.get(key);
    if (list === undefined) held.set(key, [meta]);
    else list.push(meta);
  }

  // ---- limits and dependencies ------------------------------------------------------------

  private atLimit(group: string): boolean {
    const limit = this.limits.get(group);
    if (limit === undefined) return false;
    let running = 0;
    for (const worker of this.workers.values()) {
      for (const jobId of worker.inflight.keys()) if (this.groupOf.get(jobId) === group) running++;
    }
    return running >= limit;
  }

  // Reads the limits again: the flags, over the home's `limits` file when it has changed.
  private loadLimits(): void {
    const file = this.paths.limits;
    let stamp = '';
    let text = '';
    try {
      const stat = fs.statSync(file);
      stamp = `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
      if (stamp !== this.limitsFileStamp) text = fs.readFileSync(file, 'utf8');
    } catch {
      stamp = 'none';
    }
    if (stamp === this.limitsFileStamp) return;
    this.limitsFileStamp = stamp;
    let fromFile = new Map<string, number>();
    try {
      fromFile = parseLimits(text, file);
    } catch (error) {
      this.emit({type: 'warning', message: `${error instanceof Error ? error.message : String(error)}; the limits file is ignored until it is fixed`});
    }
    const before = this.limits;
    this.limits = mergeLimits(fromFile, this.options.limits);
    for (const message of zeroLimitWarnings(before, this.limits, this.options.limits, file)) this.emit({type: 'warning', message});
    // A limit raised or removed lets held jobs go.
    for (const group of this.heldByLimit.keys()) {
      if ((this.limits.get(group) ?? Infinity) > (before.get(group) ?? Infinity) || !this.limits.has(group)) this.releaseGroup(group);
    }
  }

  // Jobs of `group` held by its limit go back in line (they are held again if it is full).
  private releaseGroup(group: string): void {
    const held = this.heldByLimit.get(group);
    if (held === undefined) return;
    this.heldByLimit.delete(group);
    for (const meta of held) if (this.candidates.has(meta.name)) this.queue.push(this.queue.meta(meta.name) ?? meta);
  }

  // Whether a job's dependencies let it run now. If not, it is held (until one of them ends)
  // or failed (one failed, is unknown, or they form a cycle).
  private dependenciesAllow(meta: JobMeta): boolean {
    if (meta.after.length === 0 && meta.afterAny.length === 0) return true;
    let waiting: string | undefined;
    const deps: [string, boolean][] = [...meta.after.map((d): [string, boolean] => [d, false]), ...meta.afterAny.map((d): [string, boolean] => [d, true])];
    for (const [dep, anyEnding] of deps) {
      const state = this.dependencyState(dep);
      if (state === 'pending') {
        waiting ??= dep;
        continue;
      }
      if (state === 'unknown') {
        // It may be on its way: dropped a moment after this job, or on another host (seen at
        // a rescan). The job waits a while for it, then fails.
        const now = performance.now();
        const since = this.unknownSince.get(meta.name) ?? now;
        if (now - since < this.unknownGraceMs) {
          this.unknownSince.set(meta.name, since);
          this.holdUnknown(meta);
          return false;
        }
        this.unknownSince.delete(meta.name);
        this.failOpen(meta.name, `dependency ${dep} is unknown: no job of that name is queued, running, done or failed (waited ${Math.round(this.unknownGraceMs / 1000)} s for it)`);
        return false;
      }
      if (state === 'failed' && !anyEnding) {
        this.failOpen(meta.name, `dependency ${dep} failed`);
        return false;
      }
    }
    if (this.unknownSince.size > 0) this.unknownSince.delete(meta.name);
    if (waiting === undefined) return true;
    const cycle = this.cycleFrom(meta);
    if (cycle !== undefined) {
      this.failOpen(meta.name, `dependency cycle: ${cycle.join(' → ')}`);
      return false;
    }
    this.holdBack(this.heldByDeps, dependencyKeys(waiting).at(-1) ?? waiting, meta);
    return false;
  }

  // Jobs waiting for a dependency nobody has heard of yet go back in line at every rescan
  // interval, until it turns up or their wait is over.
  private holdUnknown(meta: JobMeta): void {
    this.heldUnknown.push(meta);
    this.unknownTimer ??= setTimeout(() => {
      this.unknownTimer = undefined;
      this.guard(() => {
        for (const held of this.heldUnknown.splice(0)) if (this.candidates.has(held.name)) this.queue.push(this.queue.meta(held.name) ?? held);
        this.pump();
      });
    }, this.rescanMs);
  }

  // pending: a job of that name is open or handed out; else how the newest one ended.
  private dependencyState(dep: string): 'pending' | 'finished' | 'failed' | 'unknown' {
    const key = dependencyKeys(dep).at(-1) ?? dep;
    // Named exactly as it waits in jobqueue/: no need to look through every name.
    if (this.candidates.has(dep) || this.candidates.namesFor(key).length > 0 || this.isHandedOut(key)) return 'pending';
    return this.ended.get(key) ?? this.ended.get(dep) ?? 'unknown';
  }

  // Whether a job a dependency named `key` means is with a worker now.
  private isHandedOut(key: string): boolean {
    for (const worker of this.workers.values()) {
      for (const name of worker.inflight.values()) if (dependencyKeys(name).includes(key)) return true;
    }
    return false;
  }

  // A cycle of open jobs waiting for each other that leads back to this one, as names.
  private cycleFrom(start: JobMeta): string[] | undefined {
    const metaOf = (dep: string): JobMeta | undefined => {
      for (const name of [dep, ...this.candidates.namesFor(dep)]) {
        const meta = this.queue.meta(name) ?? this.heldMeta(name) ?? (name === start.name ? start : undefined);
        if (meta !== undefined) return meta;
      }
      return undefined;
    };
    const path: string[] = [start.name];
    const seen = new Set<string>();
    const visit = (meta: JobMeta): boolean => {
      for (const dep of [...meta.after, ...meta.afterAny]) {
        const next = metaOf(dep);
        if (next === undefined) continue;
        if (next.name === start.name) {
          path.push(start.name);
          return true;
        }
        if (seen.has(next.name)) continue;
        seen.add(next.name);
        path.push(next.name);
        if (visit(next)) return true;
        path.pop();
      }
      return false;
    };
    return visit(start) ? path : undefined;
  }

  private heldMeta(name: string): JobMeta | undefined {
    for (const list of this.heldByDeps.values()) for (const meta of list) if (meta.name === name) return meta;
    return undefined;
  }

  // A job has ended (or failed without running): note it, and let go what waited for it.
  private noteEnded(name: string, outcome: 'finished' | 'failed'): void {
    for (const key of dependencyKeys(name)) {
      this.ended.set(key, outcome);
      const waiting = this.heldByDeps.get(key);
      if (waiting === undefined) continue;
      this.heldByDeps.delete(key);
      for (const meta of waiting) if (this.candidates.has(meta.name)) this.queue.push(this.queue.meta(meta.name) ?? meta);
    }
  }

  // How the jobs in done/ and failed/ ended, for dependencies: listed once at the start.
  // Returns the ids in failed/.
  private loadEnded(): string[] {
    let failed: string[] = [];
    for (const [dir, outcome] of [
      [this.paths.done, 'finished'],
      [this.paths.failed, 'failed'],
    ] as const) {
      const ids = listDir(dir).filter((id) => !isIgnoredName(id));
      for (const id of ids) {
        for (const key of dependencyKeys(id)) {
          // Of several jobs of one name, a later (numbered) one decides.
          if (!this.ended.has(key) || id !== key) this.ended.set(key, outcome);
        }
      }
      if (outcome === 'failed') failed = ids;
      this.endedBefore[outcome] = ids.length;
    }
    return failed;
  }

  // Fails an open job that cannot run, the way `fjd cancel` withdraws one (a request that is
  // also the log, carried out at once by this lock holder).
  private failOpen(name: string, reason: string): void {
    requestOpenCancel(this.paths, name, reason);
    this.carryOutCancels(false);
  }

  // ---- workers ----------------------------------------------------------------------------

  private loadWorkers(): void {
    for (const id of listDir(this.paths.workers)) {
      if (id.startsWith('.')) continue;
      const worker = this.worker(id);
      // Its pod, and pods left by an interrupted exit or recovery (pod.closed, pod.lost-…).
      for (const dir of podDirsOf(this.paths, id)) {
        for (const jobId of listDir(dir)) {
          if (jobId.startsWith('.')) continue;
          this.hold(worker, jobId, readRecord(this.paths, jobId)?.name ?? jobId);
          // Its group counts against its limit until it ends, whoever handed it out.
          const group = readJobMeta(dir, jobId)?.group;
          if (group !== undefined) this.groupOf.set(jobId, group);
        }
      }
    }
    this.scanWorkerqueue();
  }

  private worker(id: string): WorkerState {
    let worker = this.workers.get(id);
    if (worker === undefined) {
      const info = readJson<WorkerInfo>(infoPath(this.paths, id));
      worker = {
        id,
        ready: false,
        lastDurationMs: undefined,
        inflight: new Map(),
        host: info?.host,
        pid: info?.pid,
        procStart: info?.procStart ?? null,
        beat: undefined,
        beatChangedAt: performance.now(),
        leaseMs: this.leases.of(id, info?.heartbeatMs),
        seesAtOnce: this.seesAtOnce(info),
        infoRead: info !== undefined,
      };
      this.workers.set(id, worker);
    }
    return worker;
  }

  private seesAtOnce(info: WorkerInfo | undefined): boolean {
    return info !== undefined && info.host === this.host && (info.polling ?? null) === null;
  }

  private onWorkerqueueEvent(name: string | undefined): void {
    if (name === undefined) this.scanWorkerqueue();
    else if (!isIgnoredName(name)) this.onAnnouncement(name);
    this.pump();
  }

  private scanWorkerqueue(): void {
    for (const id of listDir(this.paths.workerqueue)) {
      if (!isIgnoredName(id)) this.onAnnouncement(id);
    }
  }

  // workerqueue/W exists (or existed): W is there to take jobs, and has finished what it was
  // given before it announced itself.
  private onAnnouncement(id: string): void {
    const announcement = readJson<{host?: string; pid?: number}>(announcementPath(this.paths, id));
    if (announcement === undefined) return;
    const worker = this.worker(id);
    worker.host ??= announcement.host;
    worker.pid ??= announcement.pid;
    if (!worker.ready) this.toldNoWorkers = false;
    worker.ready = true;
    this.settleInflight(worker);
  }

  private hold(worker: WorkerState, jobId: string, name: string): void {
    worker.inflight.set(jobId, name);
    this.owners.set(jobId, worker);
  }

  // .fjd/records/ID.json changed: if ID was handed out, see whether it has ended. This is how
  // the dispatcher learns of an end at once, without waiting for the worker to be idle.
  private onRecordEvent(name: string | undefined): void {
    const jobId = name === undefined ? undefined : recordIdOf(name);
    if (jobId === undefined) return;
    const worker = this.owners.get(jobId);
    if (worker === undefined) return;
    this.settleOne(worker, jobId);
    this.pump();
  }

  // Reads the records of a worker's jobs and counts those that have ended.
  private settleInflight(worker: WorkerState): void {
    for (const jobId of [...worker.inflight.keys()]) this.settleOne(worker, jobId);
  }

  private settleOne(worker: WorkerState, jobId: string): void {
    const name = worker.inflight.get(jobId);
    if (name === undefined) return;
    const record = readRecord(this.paths, jobId);
    const state = record?.state ?? this.placeOf(worker, jobId);
    if (state === 'assigned' || state === 'running') return;
    worker.inflight.delete(jobId);
    if (this.owners.get(jobId) === worker) this.owners.delete(jobId);
    if (state === 'finished' || state === 'failed') {
      // How long jobs take there decides whether it gets a second one in advance; a job that
      // failed (cancelled, killed) says little about that.
      if (state === 'finished') worker.lastDurationMs = record?.durationMs ?? undefined;
      if (state === 'finished') this.summary.finished++;
      else {
        this.summary.failed++;
        this.summary.failedJobs.push({id: jobId, reason: record?.reason ?? null});
      }
      this.emit({type: 'job-ended', id: jobId, name, outcome: state, reason: record?.reason ?? null});
      if (state === 'failed') this.failures?.noteFailed(jobId);
      this.jobLeft(jobId, name, state);
      return;
    }
    this.jobLeft(jobId, name, undefined);
    // A job given back by a worker busy with a long one: no more jobs in advance there until
    // it has finished one (the job keeps its place in line and would come straight back).
    worker.lastDurationMs = undefined;
    // Back in jobqueue/ (or its record is gone). Told only if it had started: a job given back
    // before it started is simply in the queue again.
    const outcome = record?.attempts.at(-1)?.outcome;
    // Stopped now by its own worker (fired with --now, a TERM): that worker is leaving, and
    // handing it the job again would only meet its closed pod (a record briefly "assigned").
    if (record?.worker === worker.id && outcome === 'requeued') worker.ready = false;
    if (record === undefined || (record.worker === worker.id && (outcome === 'requeued' || outcome === 'lost'))) {
      this.summary.requeued++;
      this.emit({type: 'job-requeued', id: jobId, name, reason: record?.reason ?? null});
    }
  }

  // Where a job whose record cannot be read now has gone, from the directories: a record
  // rewritten on another host may read short on a mount that caches its old size (FUSE with
  // attr_timeout; NFS mounted nocto) until that cache expires, and readRecord's second look
  // through a new name needs hard links. done/ and failed/ are looked at first: a job is
  // linked there before it leaves its pod. undefined: neither, nor in its pod, so back in
  // jobqueue/ (or its record is gone).
  private placeOf(worker: WorkerState, jobId: string): 'finished' | 'failed' | 'running' | undefined {
    if (fs.existsSync(path.join(this.paths.done, jobId))) return 'finished';
    if (fs.existsSync(path.join(this.paths.failed, jobId))) return 'failed';
    if (fs.existsSync(path.join(podDir(this.paths, worker.id), jobId))) return 'running';
    // Nowhere, because the home is gone for now: it is where it was.
    return this.presence.check() ? undefined : 'running';
  }

  // How many jobs a worker may hold: a second one waits in its pod while it runs short jobs,
  // so that it never waits for the dispatcher between them. Long jobs get one at a time.
  private depthOf(worker: WorkerState): number {
    return worker.lastDurationMs !== undefined && worker.lastDurationMs < 1000 ? 2 : 1;
  }

  // A worker that may take one more job now: first an idle one that sees it at once, then
  // any idle one, then one that takes a second job in advance. With more workers than inotify
  // instances (128 per user by default), those that poll would start their jobs up to a
  // heartbeat late: 200 local workers, 76 of them polling, started a job 13 ms after it was
  // handed out (median) when watching and 2.5 s (up to 5 s) when polling.
  private nextAvailable(): WorkerState | undefined {
    let idle: WorkerState | undefined;
    let second: WorkerState | undefined;
    for (const worker of this.workers.values()) {
      if (!worker.ready) continue;
      if (worker.inflight.size === 0) {
        if (worker.seesAtOnce) return worker;
        idle ??= worker;
      } else if (second === undefined && worker.inflight.size < this.depthOf(worker)) second = worker;
    }
    return idle ?? second;
  }

  // Finds workers that are gone. On this host a dead pid tells at once; on any host a
  // heartbeat that has not changed for a whole lease does. Their jobs go back to jobqueue/.
  private checkWorkers(): void {
    for (const id of listDir(this.paths.workers)) {
      if (!id.startsWith('.')) this.worker(id);
    }
    const now = performance.now();
    for (const worker of [...this.workers.values()]) {
      if (!worker.infoRead) {
        const info = readJson<WorkerInfo>(infoPath(this.paths, worker.id));
        Object.assign(worker, {host: info?.host ?? worker.host, pid: info?.pid ?? worker.pid, procStart: info?.procStart ?? worker.procStart, leaseMs: this.leases.of(worker.id, info?.heartbeatMs), seesAtOnce: this.seesAtOnce(info), infoRead: info !== undefined});
      }
      let beat: string | undefined;
      try {
        beat = fs.readFileSync(heartbeatPath(this.paths, worker.id), 'utf8');
      } catch {
        beat = undefined;
      }
      if (beat !== worker.beat) {
        worker.beat = beat;
        worker.beatChangedAt = now;
      }
      let why: string | undefined;
      if (worker.host === this.host && worker.pid !== undefined && processLiveness(worker.pid, worker.procStart) === 'dead') {
        why = 'worker lost (its process is gone)';
      } else if (now - worker.beatChangedAt > worker.leaseMs) {
        why = `worker lost (no heartbeat for ${Math.round(worker.leaseMs / 1000)} s)`;
      }
      if (why === undefined) continue;
      // Read the records first: jobs that ended before the worker died are counted as such.
      this.settleInflight(worker);
      if (!fs.existsSync(workerDir(this.paths, worker.id))) {
        // It left in good order (fired); nothing to recover.
        this.forget(worker);
        this.emit({type: 'worker-left', worker: worker.id});
        continue;
      }
      let recovery;
      try {
        this.homeGuard.assertSafe();
        recovery = recoverLostWorker(this.paths, worker.id, {reason: why, maxAttempts: this.maxAttempts, groupShared: this.options.groupShared === true});
      } catch (error) {
        // The home, or this worker's directory, is not one to move files through now: the
        // worker is left alone (told once) and looked at again at the next rescan. Trouble
        // that passes (permissions changed for a moment, a full disk) leaves the recovery half
        // done, as a crash would: the next rescan finishes it.
        if (isHomeProblem(error)) this.homeGuard.refused(error);
        else if (isRetryableMoveError(errnoCode(error))) this.pause(`cannot recover the jobs of worker ${worker.id} now (${describeError(error)})`);
        else throw error;
        continue;
      }
      this.settleInflight(worker);
      this.forget(worker);
      this.emit({type: 'worker-lost', worker: worker.id, why, requeued: recovery.requeued, failed: recovery.failed});
      this.scanJobqueue();
    }
  }

  private forget(worker: WorkerState): void {
    worker.ready = false;
    for (const jobId of worker.inflight.keys()) if (this.owners.get(jobId) === worker) this.owners.delete(jobId);
    this.workers.delete(worker.id);
  }

  // ---- pairing ----------------------------------------------------------------------------

  private renewLock(): void {
    try {
      this.lock?.renew();
      this.serverClock.learn(lockPath(this.paths));
    } catch (error) {
      if (!isRetryableMoveError(errnoCode(error))) throw error;
      this.emit({type: 'warning', message: `cannot renew the dispatcher lock (${errnoCode(error) ?? ''}); trying again`});
    }
  }

  // Stops assigning for a while after the filesystem refused; says so once per episode.
  private pause(why: string): void {
    this.pausedUntil = performance.now() + this.retryIoMs;
    if (!this.ioTrouble) this.emit({type: 'warning', message: `${why}; trying again every ${formatDuration(this.retryIoMs)}`});
    this.ioTrouble = true;
    this.pauseTimer ??= setTimeout(() => {
      this.pauseTimer = undefined;
      this.guard(() => this.pump());
    }, this.retryIoMs);
  }

  private pump(): void {
    if (this.pumping || this.finished || this.presence.gone || performance.now() < this.pausedUntil || this.homeGuard.unsafe()) return;
    this.pumping = true;
    try {
      for (;;) {
        const worker = this.nextAvailable();
        if (worker === undefined) break;
        const meta = this.nextReady();
        if (meta === undefined) break;
        if (!this.assign(meta, worker)) break;
      }
      if (!this.toldNoWorkers && this.hasReady() && ![...this.workers.values()].some((w) => w.ready)) {
        this.toldNoWorkers = true;
        let busy = 0;
        for (const w of this.workers.values()) if (w.inflight.size > 0) busy++;
        this.emit({type: 'waiting-for-workers', jobs: this.candidates.size, workers: this.workers.size, busy});
      }
    } finally {
      this.pumping = false;
    }
    this.maybeFinish();
  }

  // Hands one job to a worker; false when assigning must stop for now (the disk refuses).
  private assign(meta: JobMeta, worker: WorkerState): boolean {
    const {name} = meta;
    const first = this.nextNumber.get(name) ?? 1;
    let assignment;
    try {
      this.lastAssignedMs = Math.max(Date.now(), this.lastAssignedMs + 1);
      assignment = assignJob(this.paths, name, worker.id, worker.host ?? this.host, first, new Date(this.lastAssignedMs).toISOString(), meta.submittedMs);
    } catch (error) {
      if (isRetryableMoveError(errnoCode(error)) || !this.presence.check()) {
        // The filesystem refuses for now, or the home is gone: keep the job first in line and
        // the worker idle.
        this.queue.push(meta);
        if (!this.presence.gone) this.pause(`cannot assign ${name}: ${errnoCode(error) ?? ''} in ${this.paths.root}`);
        return false;
      }
      if (error instanceof PodClosedError) {
        // The worker is leaving; the job stays first in line for the next worker.
        this.forget(worker);
        this.queue.push(meta);
        this.emit({type: 'worker-left', worker: worker.id});
        return true;
      }
      throw error;
    }
    this.candidates.delete(name);
    // undefined: taken back by its owner before we got to it; the worker is still free.
    if (assignment === undefined) return true;
    if (this.ioTrouble) {
      this.ioTrouble = false;
      this.emit({type: 'warning', message: 'the home takes writes again; dispatching goes on'});
    }
    const number = idNumber(name, assignment.id);
    if (number > 1) this.nextNumber.set(name, number + 1);
    if (meta.group !== undefined) this.groupOf.set(assignment.id, meta.group);
    dropPriorityOverride(this.paths, name);
    this.hold(worker, assignment.id, name);
    return true;
  }

  // ---- the end ----------------------------------------------------------------------------

  private scheduleRescanAfter(ms: number): void {
    this.rescanTimer = setTimeout(() => {
      const t0 = performance.now();
      let looked = t0;
      this.guard(() => {
        // Nothing is moved or written through the home's directories while one is unsafe (told
        // once), nor in a home that is gone; every rescan looks again.
        if (this.homeGuard.unsafe(true)) return;
        if (this.presence.gone && !this.presence.check()) return;
        this.renewLock();
        this.scanWorkerqueue();
        this.checkWorkers();
        this.loadLimits();
        this.carryOutCancels(false);
        this.scanJobqueue();
        looked = performance.now();
        this.pump();
      });
      // A huge backlog makes listing slow: keep rescans to about 2% of the time. What is
      // handed out after the look is not its cost: counted in, 200 workers polling (no inotify
      // left for the dispatcher) were paired at most every few seconds. With nothing queued
      // and nothing running, look less often (an idle home costs next to nothing).
      const cost = Math.max(looked, t0) - t0;
      const quiet = this.candidates.size === 0 && this.busyCount() === 0 && !this.presence.gone && !this.homeGuard.unsafe();
      if (!this.finished) this.scheduleRescanAfter(Math.max(this.rescanMs * (quiet ? 4 : 1), cost * 50));
    }, ms);
  }

  // Withdraws the open jobs that `fjd cancel` asked for (src/home/cancel-requests.ts) into failed/.
  private carryOutCancels(pump = true): void {
    if (this.homeGuard.unsafe()) return;
    for (const done of carryOutOpenCancels(this.paths)) {
      this.candidates.delete(done.name);
      if (done.id !== undefined) this.endedUnrun(done.id, done.name, done.reason);
    }
    if (pump) this.pump();
  }

  // A handed-out job is no longer with its worker (ended, or back in the queue): its group has
  // room again, and what waited for it may go.
  private jobLeft(jobId: string, name: string, outcome: 'finished' | 'failed' | undefined): void {
    const group = this.groupOf.get(jobId);
    this.groupOf.delete(jobId);
    if (group !== undefined) this.releaseGroup(group);
    if (outcome !== undefined) this.noteEnded(name, outcome);
  }

  private busyCount(): number {
    let count = 0;
    for (const worker of this.workers.values()) count += worker.inflight.size;
    return count;
  }

  private maybeFinish(): void {
    if (this.options.watch || this.finished || this.confirming || this.presence.gone || this.homeGuard.unsafe()) return;
    if (this.candidates.size > 0 || this.busyCount() > 0) return;
    // Nothing known is left: confirm with a fresh listing (of a home that is there) before
    // leaving. What it finds is paired at once; a name it lists that turns out to be gone (or
    // no job) is dropped, and is not listed again from here: no path from there leads back
    // into this listing.
    this.confirming = true;
    try {
      if (this.scanJobqueue() > 0) this.pump();
    } finally {
      this.confirming = false;
    }
    if (this.candidates.size > 0 || this.busyCount() > 0 || this.finished) return;
    if (this.presence.check()) this.end();
  }

  private shutdown(): void {
    this.finished = true;
    try {
      this.lock?.release();
    } catch {
      // the next dispatcher takes a stale lock over
    }
    if (this.pauseTimer !== undefined) clearTimeout(this.pauseTimer);
    for (const watch of this.watches) watch.close();
    if (this.rescanTimer !== undefined) clearTimeout(this.rescanTimer);
    if (this.foundTimer !== undefined) clearTimeout(this.foundTimer);
    if (this.readingTimer !== undefined) clearTimeout(this.readingTimer);
    if (this.sweepTimer !== undefined) clearTimeout(this.sweepTimer);
    if (this.unknownTimer !== undefined) clearTimeout(this.unknownTimer);
    for (const candidate of this.candidates.values()) {
      if (candidate.timer !== undefined) clearTimeout(candidate.timer);
    }
  }

  private end(): void {
    if (this.finished) return;
    this.shutdown();
    this.summary.wallMs = performance.now() - this.startedAt;
    this.summary.home = {
      finished: this.endedBefore.finished + this.summary.finished,
      failed: this.endedBefore.failed + this.summary.failed,
      open: this.candidates.size + this.busyCount(),
    };
    this.resolve?.(this.summary);
  }
}
