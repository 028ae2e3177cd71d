// The intake of job files: what appears in jobqueue/, from the events of its watch and from
// listings, until it is a job that may go now. A file seen to appear is probed, and settles
// if it is written to, until it is quiet (settling.ts); one found by listing is read ahead for
// its place in line (backlog.ts), and its age is judged when it comes up: one written moments
// ago, by the file server's clock (server-clock.ts), settles first. What can never be a job
// goes to failed/ with its reason. Ready jobs go into the ready queue; `next` hands out the
// first of them whose file is there and whole. Where each job stands is its Arrival in `open`
// (open-jobs.ts).
import fs from 'node:fs';
import path from 'node:path';
import type {HomePaths} from '../home/layout.js';
import {isIgnoredName} from '../home/names.js';
import {isOddName, notAJobReason, oddNames, refuseEntry} from '../home/refuse.js';
import {readJobMeta, type JobMeta} from '../home/job-meta.js';
import {describeError, errnoCode} from '../errors.js';
import type {Timers} from '../util/timers.js';
import {Backlog} from './backlog.js';
import {FoundReport} from './found-report.js';
import {OpenJobs} from './open-jobs.js';
import {OwnEvents} from './own-events.js';
import {ReadyQueue} from './ready-queue.js';
import type {SeenRecords} from './seen-records.js';
import {Settling} from './settling.js';

// How long after it was read a job file is judged by that read, not by a stat of it, when it
// is handed out (while the watch of jobqueue/ works): a change made on this host since is told
// by the watch, and one made on another host would not be seen by a stat this soon on NFS
// either, whose attribute cache keeps what the read saw for 3 s at least (acregmin).
export const FRESH_READ_MS = 3000;

// What judging a job file needs of it.
type FileLook = Pick<fs.Stats, 'mtimeMs' | 'size' | 'isDirectory'>;

// What the intake needs from the dispatcher: how its actions run, and what it tells.
export interface IntakeEffects {
  // Runs what a timer does, as every action of the dispatcher runs (its guard).
  run(action: () => void): void;
  // Jobs went in line: pair them.
  readied(): void;
  // A file left jobqueue/ before it was taken: maybe nothing is left to do.
  left(): void;
  found(count: number): void;
  notAJob(name: string, kind: string): void;
  // An entry of jobqueue/ that can never be a job went into failed/ with its reason.
  refused(id: string, name: string, reason: string): void;
  warn(message: string): void;
  // Whether a listing of jobqueue/ may be used now (no directory of the home is unsafe); one
  // that found jobs (`found`) is always looked at afresh, since what it found is to be moved.
  listingUsable(found: boolean): boolean;
  // Whether the home is there (it may be gone for a moment).
  homeThere(): boolean;
  // How long ago, by the file server's clock, a file of this mtime was written.
  ageOf(mtimeMs: number): number;
  // Whether the watch of jobqueue/ works (absent: it is not known to).
  watching?(): boolean;
}

export interface IntakeOptions {
  paths: HomePaths;
  settleMs: number;
  probeMs: number;
  readAhead: number;
  // Which jobs may have a priority override to look for (without it: every job).
  priorityNames?: {has(name: string): boolean};
  // Which jobs seen to appear may have a record that keeps their place (without it: every job).
  seenRecords?: Pick<SeenRecords, 'check'>;
}

export class Intake {
  readonly open = new OpenJobs();
  readonly queue = new ReadyQueue();
  // Names in jobqueue/ that are no jobs and could not be failed (directories): left alone.
  private readonly notJobs = new Set<string>();
  // The events of the dispatcher's own renames out of jobqueue/ (hand-outs), not looked into.
  private readonly ownMoves = new OwnEvents();
  private readonly backlog: Backlog;
  private readonly settling: Settling;
  private readonly found: FoundReport;
  private readonly jobqueue: string;

  constructor(
    private readonly options: IntakeOptions,
    private readonly effects: IntakeEffects,
    timers: Timers,
  ) {
    this.jobqueue = options.paths.jobqueue;
    const read = (name: string): JobMeta | undefined => this.readMeta(name);
    this.backlog = new Backlog(
      {
        open: this.open,
        queue: this.queue,
        readAhead: options.readAhead,
        read,
        run: effects.run,
        readied: effects.readied,
      },
      timers,
    );
    this.settling = new Settling(
      {
        paths: options.paths,
        settleMs: options.settleMs,
        probeMs: options.probeMs,
        open: this.open,
        queue: this.queue,
        read: (name, watched) => this.readMeta(name, watched.listed !== true),
      },
      effects,
      timers,
    );
    this.found = new FoundReport(timers, (count) => effects.found(count));
  }

  // Reads a job file; `seenToAppear`: its file was seen to appear, not found by a listing. A job
  // known to have no record is not looked for one (seen-records.ts).
  private readMeta(name: string, seenToAppear = false): JobMeta | undefined {
    const {paths, priorityNames, seenRecords} = this.options;
    const check = seenRecords?.check(name, seenToAppear, this.effects);
    return readJobMeta(this.jobqueue, name, paths, priorityNames?.has(name) ?? true, check);
  }

  // Whether a job may be in line: read, or still to be read from the backlog.
  hasReady(): boolean {
    return this.queue.size > 0 || this.backlog.pending;
  }

  // An event of jobqueue/'s watch (no name: the watch lost track, so list it).
  onEvent(event: 'rename' | 'change', name: string | undefined): void {
    if (name !== undefined && (isIgnoredName(name) || this.notJobs.has(name))) return;
    if (this.ownMoves.own(event, name)) return;
    if (name === undefined || isOddName(name)) {
      // Too long, or not the file's real name (not UTF-8): the listing deals with it.
      this.list();
      this.effects.readied();
      return;
    }
    const known = this.open.get(name);
    if (known !== undefined) {
      this.settling.writtenTo(name, known);
      return;
    }
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(path.join(this.jobqueue, name));
    } catch {
      return;
    }
    if (!this.isJobLike(name, stat)) return;
    this.found.add(1);
    this.settling.probe(name, event === 'change', stat);
  }

  // `fjd prioritize` set a job's priority: it takes its new place in line, keeping its order
  // of arrival (`seq`, of the entry in line or held). Whether it did.
  reprioritize(name: string | undefined, heldSeq: (name: string) => number | undefined): boolean {
    if (name === undefined || isIgnoredName(name) || !this.open.isReady(name)) return false;
    const meta = this.readMeta(name);
    if (meta === undefined) return false;
    // Read now: a name still waiting in the backlog is passed by there.
    if (this.open.get(name) === 'unread') this.open.set(name, 'listed');
    this.queue.push({...meta, seq: this.queue.meta(name)?.seq ?? heldSeq(name) ?? 0});
    return true;
  }

  // Lists jobqueue/ and takes note of names not yet known, in name order (a backlog queued at
  // once runs in the order of its names). Their type and age are checked when they are about
  // to be assigned, so a backlog of any size costs one listing of bare names here: no
  // directory entry objects, which for 100,000 names would be a large heap of garbage at
  // every rescan. Returns how many it found.
  list(): number {
    let names: string[];
    try {
      names = fs.readdirSync(this.jobqueue);
    } catch {
      return 0;
    }
    let fresh = names.filter((name) => !this.open.has(name) && !this.notJobs.has(name) && !isIgnoredName(name));
    // A listing through a directory that is unsafe now (a link swapped in) is not used.
    if (!this.effects.listingUsable(fresh.length > 0)) return 0;
    // What an expected event could hide, this listing shows.
    this.ownMoves.clear();
    if (fresh.some(isOddName)) {
      // Names that cannot be jobs' (too long, not UTF-8) fail before anything derives from them.
      const odd = oddNames(this.jobqueue, fresh);
      for (const entry of odd) this.refuse(entry.raw, entry.reason, entry.listedAs);
      const handled = new Set(odd.map((entry) => entry.listedAs));
      fresh = fresh.filter((name) => !handled.has(name));
    }
    fresh.sort();
    for (const name of fresh) {
      this.open.set(name, 'unread');
      this.backlog.add(name);
    }
    this.backlog.draw(100);
    // Names that left without an event we saw are dropped when they come up for assignment.
    if (fresh.length > 0) this.found.add(fresh.length);
    return fresh.length;
  }

  // The first job in line whose file is there, a job, and not being written: taken out of
  // line (the caller hands it out, holds it, or puts it back). undefined: none, or the home
  // is gone for now (the job stays in line).
  next(): JobMeta | undefined {
    for (;;) {
      if (this.queue.size < this.options.readAhead && this.backlog.pending)
        this.backlog.draw(this.queue.size === 0 ? 50 : 1);
      const meta = this.queue.pop();
      if (meta === undefined) return undefined;
      const name = meta.name;
      const arrival = this.open.get(name);
      // Gone, or being written again since it went in line (it comes back when it settles).
      if (arrival === undefined || (typeof arrival === 'object' && arrival.state !== 'seen')) continue;
      // Judged by its read moments ago, or by a stat now.
      let stat: FileLook | undefined = this.freshFile(meta);
      let notAJob: string | undefined;
      if (stat === undefined) {
        try {
          const now = fs.lstatSync(path.join(this.jobqueue, name));
          stat = now;
          notAJob = notAJobReason(now);
        } catch {
          if (!this.effects.homeThere()) {
            // Not taken back: the whole home is gone for now.
            this.queue.push(meta);
            return undefined;
          }
          this.open.delete(name);
          continue;
        }
      }
      const refusal =
        notAJob ?? (meta.unreadable === undefined ? undefined : `cannot read the job file (${meta.unreadable})`);
      if (refusal !== undefined) {
        this.refuse(name, refusal, name);
        continue;
      }
      if (!this.isJobLike(name, stat)) {
        this.open.delete(name);
        continue;
      }
      if (typeof arrival === 'string' && this.effects.ageOf(stat.mtimeMs) < this.options.settleMs) {
        // Found by listing and written moments ago: it may still be being written.
        this.settling.settleListed(name, stat);
        continue;
      }
      return meta;
    }
  }

  // The job has left jobqueue/ (handed out, or withdrawn).
  taken(name: string): void {
    this.open.delete(name);
  }

  // The dispatcher renamed the job out of jobqueue/ (handed it out): the event that causes is
  // its own, and is not looked into (a stat that finds nothing). A new file of that name comes
  // with events of its own, after it.
  movedOut(name: string): void {
    this.ownMoves.expect(name, ['rename']);
  }

  // A regular file read moments ago, while the watch works: what that read saw of it, so that
  // handing it out needs no stat (a round trip on NFS). A file gone since fails the rename,
  // and is dropped then (the assigner: taken back). Otherwise undefined: it is stat'ed.
  private freshFile(meta: JobMeta): FileLook | undefined {
    const {file} = meta;
    if (file === undefined || meta.unreadable !== undefined || this.effects.watching?.() !== true) return undefined;
    if (performance.now() - file.readAtMs >= FRESH_READ_MS) return undefined;
    return {mtimeMs: file.mtimeMs, size: file.size, isDirectory: () => false};
  }

  private isJobLike(name: string, stat: FileLook): boolean {
    if (!stat.isDirectory()) return true;
    this.notJobs.add(name);
    this.effects.notAJob(name, 'a directory');
    return false;
  }

  // Fails an entry of jobqueue/ that can never be a job into failed/ with its reason
  // (home/refuse.ts). One that cannot be moved is reported once and skipped from then on.
  private refuse(entry: Buffer | string, reason: string, key: string): void {
    this.open.delete(key);
    let refused;
    try {
      refused = refuseEntry(this.options.paths, entry, reason);
    } catch (error) {
      this.notJobs.add(key);
      const why = errnoCode(error) ?? describeError(error);
      this.effects.warn(
        `jobqueue/${key} cannot be a job (${reason}), and it cannot be moved into failed/ (${why}); leaving it alone until the dispatcher starts again`,
      );
      return;
    }
    if (refused !== undefined) this.effects.refused(refused.id, refused.name, refused.reason);
  }
}
