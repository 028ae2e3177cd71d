// Job files seen to appear in jobqueue/ (an event of its watch), watched while they may still
// be written, until they are quiet and go in line. A file that appears is probed: watched for
// probeMs, a short look for the write events of a producer that writes in place. One written
// to (or empty when probed) settles: it is taken once it has been left alone for settleMs,
// its size and mtime unchanged; one that has settled but is still open for writing on this
// host waits until it is closed (held-open.ts). A quiet file is read for its place in line
// and numbered in order of arrival (JobMeta.seq). Each such file is a Watched in the open
// jobs (open-jobs.ts) with one keyed timer; the intake (intake.ts) says what was seen.
import fs from 'node:fs';
import path from 'node:path';
import type {HomePaths} from '../home/layout.js';
import type {JobMeta} from '../home/job-meta.js';
import {formatDuration} from '../util/duration.js';
import type {Keyed, Timers} from '../util/timers.js';
import {HeldOpen} from './held-open.js';
import type {Arrival, OpenJobs, Watched} from './open-jobs.js';
import type {ReadyQueue} from './ready-queue.js';

// What settling needs from the intake's owner (IntakeEffects has these).
export interface SettlingEffects {
  // Runs what a timer does, as every action of the dispatcher runs (its guard).
  run(action: () => void): void;
  // A job went in line: pair it.
  readied(): void;
  // A file left jobqueue/ before it was taken: maybe nothing is left to do.
  left(): void;
  warn(message: string): void;
}

export interface SettlingOptions {
  paths: HomePaths;
  settleMs: number;
  probeMs: number;
  open: OpenJobs;
  queue: ReadyQueue;
  // Reads what scheduling needs of a job in jobqueue/ (the intake's reader), seen to appear.
  read(name: string, watched: Watched): JobMeta | undefined;
}

export class Settling {
  // How many files were seen to appear and went in line (JobMeta.seq).
  private arrivals = 0;
  private readonly watching: Keyed<string>;
  private readonly jobqueue: string;
  // Files that have settled but are still open for writing on this host (held-open.ts).
  private heldOpen: HeldOpen | undefined;

  constructor(
    private readonly options: SettlingOptions,
    private readonly effects: SettlingEffects,
    timers: Timers,
  ) {
    this.jobqueue = options.paths.jobqueue;
    this.watching = timers.keyed((name: string) => effects.run(() => this.looked(name)));
  }

  // A file not known before appeared (`changed`: its event was a write), as `stat` says.
  probe(name: string, changed: boolean, stat: fs.Stats): void {
    this.options.open.set(name, {state: 'probing', changed, size: stat.size, mtimeMs: stat.mtimeMs});
    this.watching.start(name, this.options.probeMs);
  }

  // A known file was written to in place, or appeared again: let it settle.
  writtenTo(name: string, known: Arrival): void {
    if (typeof known === 'string') this.settle(name, {state: 'settling', changed: false, size: -1, mtimeMs: -1});
    else if (known.state === 'seen') this.settle(name, known);
    else known.changed = true;
  }

  // A file found by listing, written moments ago: it may still be being written.
  settleListed(name: string, stat: Pick<fs.Stats, 'size' | 'mtimeMs'>): void {
    this.settle(name, {state: 'settling', changed: false, size: stat.size, mtimeMs: stat.mtimeMs, listed: true});
  }

  // Holds a file until it has been left alone for settleMs.
  settle(name: string, watched: Watched): void {
    watched.state = 'settling';
    watched.changed = false;
    if (this.options.open.get(name) !== watched) this.options.open.set(name, watched);
    this.watching.start(name, this.options.settleMs);
  }

  // The timer of a file being watched has run out: it is probed, or it has settled, or not.
  private looked(name: string): void {
    const watched = this.options.open.get(name);
    if (typeof watched !== 'object' || watched.state === 'seen') return;
    if (watched.state === 'probing') {
      if (watched.changed || watched.size === 0) this.settle(name, watched);
      else this.ready(name, watched);
      return;
    }
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(path.join(this.jobqueue, name));
    } catch {
      this.options.open.delete(name);
      this.effects.left();
      return;
    }
    const moved = stat.size !== watched.size || stat.mtimeMs !== watched.mtimeMs;
    watched.size = stat.size;
    watched.mtimeMs = stat.mtimeMs;
    if (watched.changed || moved) {
      this.settle(name, watched);
      return;
    }
    // Quiet for settleMs, but still open for writing here: not complete yet.
    this.heldOpen ??= new HeldOpen(this.jobqueue);
    const holder = this.heldOpen.holder(name);
    if (holder !== undefined) {
      const {writer} = holder;
      if (holder.first)
        this.effects.warn(
          `jobqueue/${name} is unchanged for ${formatDuration(this.options.settleMs)} but still open for writing by ${writer.command} (pid ${writer.pid}); it is taken once that closes it`,
        );
      this.settle(name, watched);
      return;
    }
    // Quiet for settleMs: take it as it is (an empty file fails with its reason).
    this.ready(name, watched);
  }

  // A file seen to appear, and quiet: read for its place in line.
  private ready(name: string, watched: Watched): void {
    watched.state = 'seen';
    const meta = this.options.read(name, watched);
    if (meta === undefined) this.options.open.delete(name);
    else {
      meta.seq = ++this.arrivals;
      this.options.queue.push(meta);
    }
    this.effects.readied();
  }
}
