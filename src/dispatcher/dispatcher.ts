// The dispatcher pairs jobs in jobqueue/ with idle workers in workerqueue/. It is driven by
// filesystem events (names carried by inotify, no re-listing per event) and by a periodic
// rescan, which is the source of truth: events never cross hosts on a shared filesystem.
// It keeps no state that the directories do not also hold, so it can be killed at any
// moment and started again. This file is the conductor: the lifecycle, the watches, the
// rescan, and pump(), which pairs; the parts it conducts each own one state of a job.
//
// The states of a job in the dispatcher, each held by one part with only its own data:
//
//   state       held by                             its data
//   unread      intake: open 'unread', the backlog  its name (the sweep: priority, submitted)
//   probing     intake: open, a Watched + a timer   size and mtime at the last look; written?
//   settling    intake: open, a Watched + a timer   the same
//   ready       the ready queue (ready-queue.ts)    its JobMeta: priority, submitted, group, deps
//   held        holds (held.ts), by gate verdict    its JobMeta under its group or dependency;
//                                                   since when it waits for an unknown one
//   handed out  the pool (pool.ts): its worker      its id, name and group
//   ended       the ledger (ledger.ts)              its outcome, under its dependency names
//
// The path of one job: a file appears (intake.onEvent: probing, settling if written to) or is
// listed (intake.list: unread, read by the backlog's window or sweep) and goes in line (ready).
// pump() has it handed out (hand-out.ts): intake.next() takes the first in line whose file is
// there, a job, and whole (a young listed one settles first; what can never be a job goes to
// failed/), and the gate judges it: go, hold (back in line when a job of its group leaves, a
// dependency ends, or at the next rescan interval for an unknown one), or fail (withdrawn into
// failed/ as `fjd cancel` would). The assigner moves it into a worker's pod (handed out); its
// record's event (or a rescan) tells how it ended, for the ledger, or that it went back to
// jobqueue/, where it is listed again. A worker found lost has its jobs recovered
// (home/recover.ts) back to jobqueue/ or, after too many, to failed/. What the workers say of
// themselves (workerqueue/W) the announcements read (announcements.ts).
import {ensureHome, type HomePaths} from '../home/layout.js';
import {lockPath} from '../home/paths.js';
import {describeError, errnoCode} from '../errors.js';
import {isRetryableMoveError} from '../util/transient.js';
import {crashPoint} from '../util/crash-point.js';
import {formatDuration} from '../util/duration.js';
import type {DirWatch} from '../util/watch-dir.js';
import {watchTrouble, watchTroubleLine} from '../util/watch-trouble.js';
import {DispatcherLock} from './lock.js';
import {checkWorkers} from './lost-workers.js';
import {watchHome} from './home-watches.js';
import {makeParts, type Parts} from './parts.js';
import type {DispatcherEvent, DispatcherOptions, DispatchProgress, DispatchSummary} from './events.js';

export type {DispatcherEvent, DispatcherOptions, DispatchProgress, DispatchSummary} from './events.js';

export class Dispatcher {
  readonly paths: HomePaths;
  private readonly options: DispatcherOptions;
  private readonly rescanMs: number;
  private readonly leaseMs: number;
  private readonly emit: (event: DispatcherEvent) => void;
  private readonly startedAt = performance.now();
  private readonly parts: Parts;
  private lock: DispatcherLock | undefined;
  private watches: DirWatch[] = [];
  // Whether a watch failed, so that changes are found by rescans alone.
  private polling = false;
  private pumping = false;
  // A listing that confirms the end is under way (see maybeFinish).
  private confirming = false;
  private finished = false;
  private resolve: ((summary: DispatchSummary) => void) | undefined;
  private reject: ((error: unknown) => void) | undefined;

  constructor(options: DispatcherOptions) {
    this.options = options;
    this.paths = ensureHome(options.home, {groupShared: options.groupShared === true});
    this.rescanMs = options.rescanMs ?? 1000;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.emit = options.onEvent ?? (() => undefined);
    this.parts = makeParts(
      this.paths,
      {...options, rescanMs: this.rescanMs, leaseMs: this.leaseMs},
      {
        run: (action) => this.guard(action),
        pump: () => this.pump(),
        maybeFinish: () => this.maybeFinish(),
        emit: (event) => this.emit(event),
        look: () => this.rescan(),
        watching: () => !this.polling,
      },
    );
  }

  // Runs until the queue is empty and nothing runs (or forever with `watch`, until stop()).
  async run(): Promise<DispatchSummary> {
    const done = new Promise<DispatchSummary>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.lock = await DispatcherLock.acquire(
      this.paths,
      this.leaseMs,
      (message) => this.emit({type: 'waiting-for-lock', message}),
      this.options.limits,
    );
    crashPoint('dispatch:locked');
    this.parts.serverClock.learn(lockPath(this.paths));
    this.guard(() => {
      // Watch first, then list: a file that appears in between is seen by both, never by none.
      this.watches = watchHome(this.paths, this.parts, {
        guard: (action) => this.guard(action),
        failed: (dir, error) => this.watchFailed(dir, error),
        pump: () => this.pump(),
        cancels: () => this.carryOutCancels(),
      });
      // In the background: until it has ended, every job is looked for a record.
      void this.parts.seenRecords.list(this.paths.records);
      this.parts.priorityNames.list();
      this.parts.limits.reload([]);
      const failedAtStart = this.parts.ledger.load();
      this.parts.pool.load();
      this.parts.announcements.scan();
      checkWorkers(this.parts.lostWorkers);
      // Before listing the queue: a cancel cut short by a crash is finished before its job
      // could be handed out.
      this.carryOutCancels(false);
      this.parts.intake.list();
      this.emit({
        type: 'started',
        home: this.paths.root,
        jobs: this.parts.intake.open.size,
        workers: this.parts.pool.size,
        running: this.parts.pool.handedOut(),
      });
      this.parts.pause.look();
      this.parts.ledger.noticeMissedFailures(failedAtStart, (id) => this.parts.pool.owner(id) !== undefined);
      this.parts.rescans.start();
      this.pump();
    }, false);
    return done;
  }

  // Stops dispatching (Ctrl-C). Jobs already handed out run on; nothing is lost.
  stop(): void {
    this.parts.ledger.summary.interrupted = true;
    this.end();
  }

  // The counts as they are now, for a progress display; cheap enough to ask often.
  progress(): DispatchProgress {
    const {finished, failed} = this.parts.ledger.summary;
    const {halting, pause} = this.parts;
    return {
      open: this.parts.intake.open.size,
      assigned: this.parts.pool.handedOut(),
      running: this.parts.pool.busy().running,
      finished,
      failed,
      held: halting.halted ? 'halted' : pause.paused ? 'paused' : undefined,
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
      else if (isRetryableMoveError(errnoCode(error))) this.parts.assigner.pause(describeError(error));
      else if (this.parts.presence.check()) this.fail(error);
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
    this.parts.priorityNames.stopTrusting();
    const trouble = watchTrouble(error);
    this.lock?.notePolling(watchTroubleLine(trouble));
    const fix = trouble.fix === undefined ? '' : `; ${trouble.fix}`;
    this.emit({
      type: 'warning',
      message: `cannot watch ${dir} (${trouble.error}): ${trouble.what}${fix}. Until then this dispatcher rescans every ${formatDuration(this.rescanMs)} instead of being told of changes (fjd status shows it)`,
    });
  }

  // ---- the path of one job ----------------------------------------------------------------

  private pump(): void {
    if (
      this.pumping ||
      this.finished ||
      this.parts.presence.gone ||
      this.parts.assigner.paused ||
      this.parts.homeUnsafe(false)
    )
      return;
    // Halted, or paused: nothing is handed out; what ends may end the run.
    if (this.parts.halting.halted || this.parts.pause.paused) return this.maybeFinish();
    this.pumping = true;
    try {
      this.parts.handOut.pair();
    } finally {
      this.pumping = false;
    }
    this.maybeFinish();
  }

  // Withdraws the open jobs that `fjd cancel` asked for (src/home/cancel-requests.ts) into failed/.
  private carryOutCancels(pump = true): void {
    this.parts.ends.withdraw();
    if (pump) this.pump();
  }

  // ---- the rescan and the end -------------------------------------------------------------

  // Looks at everything again (rescan.ts paces it); false when it may not now. Nothing is
  // moved or written through the home's directories while one is unsafe (told once), nor in
  // a home that is gone; every rescan looks again, but for an idle one (nothing open, nothing
  // handed out), whose directories are looked at before anything is moved.
  private rescan(): boolean {
    if (this.parts.homeUnsafe(true)) return false;
    if (this.parts.presence.gone && !this.parts.presence.check()) return false;
    try {
      this.lock?.renew();
      this.parts.serverClock.learn(lockPath(this.paths));
    } catch (error) {
      if (!isRetryableMoveError(errnoCode(error))) throw error;
      this.emit({
        type: 'warning',
        message: `cannot renew the dispatcher lock (${errnoCode(error) ?? ''}); trying again`,
      });
    }
    this.parts.announcements.scan();
    checkWorkers(this.parts.lostWorkers);
    this.parts.recordEvents.forgetOwn();
    this.parts.ends.settleFromPods();
    for (const group of this.parts.limits.reload(this.parts.holds.groups())) this.parts.holds.releaseGroup(group);
    this.carryOutCancels(false);
    this.parts.intake.list();
    this.parts.pause.look();
    return true;
  }

  private maybeFinish(): void {
    // Halted: done once no job handed out is left (the open ones wait for a later dispatcher).
    if (this.parts.halting.halted) {
      if (this.parts.pool.handedOut() === 0 && !this.parts.presence.gone) this.end();
      return;
    }
    if (
      this.options.watch ||
      this.finished ||
      this.confirming ||
      this.parts.presence.gone ||
      this.parts.homeGuard.unsafe()
    )
      return;
    if (this.parts.intake.open.size > 0 || this.parts.pool.handedOut() > 0) return;
    // Nothing known is left: confirm with a fresh listing (of a home that is there) before
    // leaving. What it finds is paired at once; a name it lists that turns out to be gone (or
    // no job) is dropped, and is not listed again from here: no path from there leads back
    // into this listing.
    this.confirming = true;
    try {
      if (this.parts.intake.list() > 0) this.pump();
    } finally {
      this.confirming = false;
    }
    if (this.parts.intake.open.size > 0 || this.parts.pool.handedOut() > 0 || this.finished) return;
    if (this.parts.presence.check()) this.end();
  }

  private shutdown(): void {
    this.finished = true;
    try {
      this.lock?.release();
    } catch {
      // the next dispatcher takes a stale lock over
    }
    for (const watch of this.watches) watch.close();
    this.parts.timers.clearAll();
  }

  private end(): void {
    if (this.finished) return;
    this.shutdown();
    this.parts.ledger.summary.halted = this.parts.halting.cause ?? null;
    this.resolve?.(
      this.parts.ledger.close(
        performance.now() - this.startedAt,
        this.parts.intake.open.size + this.parts.pool.handedOut(),
      ),
    );
  }
}
