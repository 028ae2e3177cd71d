// The dispatcher's parts, made and connected: each part is given the others it reads and what
// it asks of the conductor (dispatcher.ts) through Conductor. No part knows the Dispatcher,
// and every timer of every part is made through the one Timers, cleared at once at the end.
import {homeDirectories, type HomePaths} from '../home/layout.js';
import {GUARD_LOOK_EVERY_MS, HomeGuard} from '../home/directories.js';
import {PriorityNames} from './priority-names.js';
import {QueuePause} from './queue-pause.js';
import {RecordEvents} from './record-events.js';
import {SeenRecords} from './seen-records.js';
import {HomePresence, homeGoneMessage} from '../home/presence.js';
import {DEFAULT_MAX_ATTEMPTS} from '../home/recover.js';
import {hostName} from '../util/host.js';
import {Timers, type OneShot} from '../util/timers.js';
import {Announcements} from './announcements.js';
import {Assigner} from './assigner.js';
import {Ends} from './ends.js';
import {HandOut} from './hand-out.js';
import {Halting} from './halting.js';
import type {DispatcherEvent, DispatcherOptions} from './events.js';
import type {GateView} from './gate.js';
import {Holds} from './held.js';
import {Intake} from './intake.js';
import {Landings} from './landings.js';
import {Ledger} from './ledger.js';
import {GroupLimits} from './limits.js';
import type {LostWorkerParts} from './lost-workers.js';
import {WorkerPool} from './pool.js';
import {RescanLoop} from './rescan.js';
import {ServerClock} from './server-clock.js';

// How many jobs found by listing are read ahead of the pairing (backlog.ts).
const READ_AHEAD = 2000;

// What the parts ask of the conductor.
// How many rescan intervals apart an idle dispatcher looks at the home's directories.
const IDLE_LOOKS_EVERY = 60;

export interface Conductor {
  // Runs an action as every action of the dispatcher runs (its guard).
  run(action: () => void): void;
  // Pairs jobs with workers (pump).
  pump(): void;
  // Nothing may be left to do: end if so.
  maybeFinish(): void;
  emit(event: DispatcherEvent): void;
  // Looks at the directories again (a rescan); false when it may not now.
  look(): boolean;
  // Its watches work: changes made on this host are told at once.
  watching(): boolean;
}

export interface Parts {
  timers: Timers;
  // The file server's time, from our lock's mtime at each renewal (server-clock.ts).
  serverClock: ServerClock;
  homeGuard: HomeGuard;
  presence: HomePresence;
  intake: Intake;
  limits: GroupLimits;
  holds: Holds;
  gateView: GateView;
  pool: WorkerPool;
  announcements: Announcements;
  ledger: Ledger;
  ends: Ends;
  assigner: Assigner;
  handOut: HandOut;
  lostWorkers: LostWorkerParts;
  rescans: RescanLoop;
  priorityNames: PriorityNames;
  recordEvents: RecordEvents;
  seenRecords: SeenRecords;
  landings: Landings;
  // Fail-fast (--halt): whether the run has halted, and why.
  halting: Halting;
  // Whether the queue is paused (fjd pause).
  pause: QueuePause;
  // Jobs waiting for an unknown dependency are judged again after a rescan interval.
  unknownRecheck: OneShot;
  // Nothing is open and nothing is handed out: nothing is to be moved.
  idle(): boolean;
  // Whether the home's directories are unsafe now (looked at less often while idle).
  homeUnsafe(fresh: boolean): boolean;
}

// `options` with the rescan interval and the lease settled (the dispatcher's defaults).
export function makeParts(
  paths: HomePaths,
  options: DispatcherOptions & {rescanMs: number; leaseMs: number},
  conductor: Conductor,
): Parts {
  const {run, pump, emit} = conductor;
  const warn = (message: string): void => emit({type: 'warning', message});
  const groupShared = options.groupShared === true;
  const {rescanMs} = options;
  const host = hostName();
  const timers = new Timers();
  const serverClock = new ServerClock();
  // Looks at the home's directories again at every rescan, before a listing is used, and
  // before assigning (at most every GUARD_LOOK_EVERY_MS, a second).
  // While nothing is to be moved, the home's directories are looked at this often (a look is
  // a stat of each of them: a round trip apiece on NFS).
  const idleLookMs = IDLE_LOOKS_EVERY * rescanMs;
  const idle = (): boolean => intake.open.size === 0 && pool.handedOut() === 0;
  const homeGuard = new HomeGuard(paths.root, homeDirectories(paths), {groupShared}, GUARD_LOOK_EVERY_MS, (problem) =>
    emit(
      problem === undefined
        ? {type: 'home-safe'}
        : {type: 'home-unsafe', path: problem.path ?? null, message: problem.message, hint: problem.hint ?? null},
    ),
  );
  // Whether the home is there: while it is gone (renamed away, unmounted), nothing is done.
  // Heartbeats could not change while it was gone: once it is back, every lease starts again.
  const presence = new HomePresence(paths, (missing) => {
    if (missing !== undefined) return warn(homeGoneMessage(paths, missing));
    pool.restartLeases();
    warn(`the home ${paths.root} is back; dispatching goes on`);
  });
  const homeThere = (): boolean => presence.check();
  const priorityNames = new PriorityNames(paths);
  const seenRecords = new SeenRecords();
  const intake = new Intake(
    {
      paths,
      priorityNames,
      seenRecords,
      settleMs: options.settleMs ?? 1000,
      probeMs: options.probeMs ?? 2,
      readAhead: Math.max(1, options.readAhead ?? READ_AHEAD),
    },
    {
      run,
      readied: pump,
      left: conductor.maybeFinish,
      found: (count) => emit({type: 'found', count}),
      notAJob: (name, kind) => emit({type: 'not-a-job', name, kind}),
      refused: (id, name, reason) => ends.ended(id, name, 'failed', reason),
      warn,
      // The rescan has just looked at every directory; the listing's own look is of jobqueue/.
      listingUsable: (found) => (idle() && !found ? true : !homeGuard.unsafeDir(paths.jobqueue)),
      homeThere,
      ageOf: (mtimeMs) => serverClock.ageOf(mtimeMs),
      watching: conductor.watching,
    },
    timers,
  );
  const limits = new GroupLimits(paths.limits, options.limits, warn);
  const holds = new Holds(intake.open, intake.queue);
  const pool = new WorkerPool(paths, host, options.leaseMs, warn, {
    ready: () => handOut.workerReady(),
    // A job no worker could run may fit the workers as they are now.
    changed: () => holds.releaseUnfittable(),
  });
  const ledger = new Ledger(paths, emit, (outcome, reason) => halting.counted(outcome, reason));
  const halting = new Halting(options.halt, {paths, pool, open: () => intake.open.size, emit});
  const pause = new QueuePause(paths, emit, () => intake.open.size, pump);
  const landings = new Landings();
  const ends = new Ends({
    paths,
    intake,
    pool,
    holds,
    ledger,
    landings,
    homeThere,
    mayMove: () => !homeGuard.unsafe(),
  });
  const announcements = new Announcements(paths, pool);
  const gateView: GateView = {
    limitOf: (group) => limits.get(group),
    runningIn: (group) => pool.runningIn(group),
    isOpen: (name) => intake.open.has(name),
    namesFor: (key) => intake.open.namesFor(key),
    isHandedOut: (key) => pool.isHandedOut(key),
    outcomeOf: (key) => ledger.outcomeOf(key),
    openMeta: (name) => intake.queue.meta(name) ?? holds.waitingMeta(name),
    unknownSince: (name) => holds.unknownSince(name),
    // Five rescans: long enough for a job dropped on another host to be seen.
    unknownGraceMs: 5 * rescanMs,
    unfittable: (request) => pool.unfittable(request),
  };
  const assigner = new Assigner(
    paths,
    host,
    options.retryIoMs ?? 5000,
    {run, resumed: pump, warn, homeThere, homeGone: () => presence.gone, priorityNames},
    timers,
  );
  const unknownRecheck = timers.oneShot(() =>
    run(() => {
      holds.releaseUnknown();
      pump();
    }),
  );
  const recordEvents = new RecordEvents(seenRecords, timers, run, (name) => ends.recordChanged(name), pump);
  const handOut = new HandOut({
    intake,
    pool,
    holds,
    gateView,
    ends,
    assigner,
    unknownRecheck,
    rescanMs,
    emit,
    handedOut: ({id, record}) => {
      recordEvents.created(id);
      if (record.attempts.length === 0) landings.handedOut(id);
    },
  });
  const lostWorkers: LostWorkerParts = {
    paths,
    pool,
    ends,
    homeGuard,
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    groupShared,
    emit,
    pause: (why) => assigner.pause(why),
    requeued: () => intake.list(),
  };
  const quiet = (): boolean => idle() && !presence.gone && !homeGuard.unsafeUnlessIdle(true, false, idleLookMs);
  const rescans = new RescanLoop(
    rescanMs,
    {run, look: conductor.look, pair: pump, quiet, watched: conductor.watching},
    timers,
  );
  return {
    timers,
    idle,
    homeUnsafe: (fresh) => homeGuard.unsafeUnlessIdle(idle(), fresh, idleLookMs),
    serverClock,
    homeGuard,
    presence,
    intake,
    limits,
    holds,
    gateView,
    pool,
    announcements,
    ledger,
    ends,
    assigner,
    handOut,
    lostWorkers,
    rescans,
    priorityNames,
    recordEvents,
    seenRecords,
    landings,
    halting,
    pause,
    unknownRecheck,
  };
}
