// The backlog: names found by listing jobqueue/ whose files have not been read yet, and the two
// ways they are read. The read-ahead window keeps `readAhead` (2,000) jobs read and in line
// ahead of the pairing: a backlog up to that size is wholly ordered before its first job goes
// out. A larger one starts at once all the same, and costs no more memory than the window
// (reading 100,000 files up front took 15 s and 50 MB, and slowed the first jobs): the window
// is drawn in name order while the sweep reads the rest in the background, a slice at a time;
// a job of raised priority goes in line as soon as the sweep finds it, and once the sweep is
// through, the rest is drawn strictly in order (priority, submission time, name).
import type {JobMeta} from '../home/job-meta.js';
import type {OneShot, Timers} from '../util/timers.js';
import type {OpenJobs} from './open-jobs.js';
import type {ReadyQueue} from './ready-queue.js';

// The sweep: a slice of this many ms, then a pause of SWEEP_PAUSE_MS, so that it takes at
// most a fifth of a core from the jobs.
const SWEEP_SLICE_MS = 10;
const SWEEP_PAUSE_MS = 40;
// How long the window waits before it is drawn again when the pairing has not drawn it.
const READING_PAUSE_MS = 40;

export interface BacklogParts {
  open: OpenJobs;
  queue: ReadyQueue;
  readAhead: number;
  // Reads a job file's scheduling keys (undefined: it is gone).
  read(name: string): JobMeta | undefined;
  // Runs what a timer does, as every action of the dispatcher runs (its guard).
  run(action: () => void): void;
  // Jobs went in line: pair them.
  readied(): void;
}

export class Backlog {
  private names: string[] = [];
  private head = 0;
  // What the sweep has found of names[i] (NaN: not yet swept), and how far it has come.
  private priority: number[] = [];
  private submitted: number[] = [];
  private sweepAt = 0;
  private readonly reading: OneShot;
  private readonly sweeping: OneShot;

  constructor(
    private readonly parts: BacklogParts,
    timers: Timers,
  ) {
    this.reading = timers.oneShot(() =>
      parts.run(() => {
        this.draw(20);
        parts.readied();
      }),
    );
    this.sweeping = timers.oneShot(() => parts.run(() => this.sweep()));
  }

  get pending(): boolean {
    return this.head < this.names.length;
  }

  // A name found by listing (in name order), to be read.
  add(name: string): void {
    this.names.push(name);
    this.priority.push(NaN);
    this.submitted.push(NaN);
  }

  // Reads names into the ready queue until the window is full, for at most about `budgetMs`.
  draw(budgetMs: number): void {
    const {open, queue, readAhead} = this.parts;
    const started = performance.now();
    while (this.head < this.names.length && queue.size < readAhead) {
      const name = this.names[this.head++] ?? '';
      if (open.get(name) === 'unread' && !queue.has(name)) {
        const meta = this.parts.read(name);
        if (meta === undefined) open.delete(name);
        else {
          open.set(name, 'listed');
          queue.push(meta);
        }
      }
      if ((this.head & 255) === 0 && performance.now() - started > budgetMs) break;
    }
    if (this.head >= this.names.length) {
      this.names = [];
      this.priority = [];
      this.submitted = [];
      this.head = 0;
      this.sweepAt = 0;
      return;
    }
    if (queue.size < readAhead) this.reading.soon(READING_PAUSE_MS);
    else if (this.sweepAt < this.names.length) this.sweeping.soon(SWEEP_PAUSE_MS);
  }

  // Reads the backlog beyond the window, a slice at a time, for each job's priority and
  // submission time. A job of raised priority (above the default 0) goes in line at once; when
  // the sweep is through, what is left unread is sorted, so that it is drawn in order.
  private sweep(): void {
    const {open, queue} = this.parts;
    const started = performance.now();
    this.sweepAt = Math.max(this.sweepAt, this.head);
    let raised = false;
    while (this.sweepAt < this.names.length) {
      const i = this.sweepAt++;
      const name = this.names[i] ?? '';
      if (open.get(name) === 'unread' && !queue.has(name)) {
        const meta = this.parts.read(name);
        if (meta === undefined) open.delete(name);
        else {
          this.priority[i] = meta.priority;
          this.submitted[i] = meta.submittedMs;
          if (meta.priority > 0) {
            // Read now: the window's draw passes it by.
            open.set(name, 'listed');
            queue.push(meta);
            raised = true;
          }
        }
      }
      if ((this.sweepAt & 63) === 0 && performance.now() - started > SWEEP_SLICE_MS) break;
    }
    if (this.sweepAt >= this.names.length) this.sortRest();
    else this.sweeping.soon(SWEEP_PAUSE_MS);
    if (raised) this.parts.readied();
  }

  // Puts what is left unread in the order it is to run, from what the sweep found.
  private sortRest(): void {
    const {open} = this.parts;
    const order: number[] = [];
    for (let i = this.head; i < this.names.length; i++) {
      if (!Number.isNaN(this.priority[i] ?? NaN) && open.get(this.names[i] ?? '') === 'unread') order.push(i);
    }
    const priority = this.priority;
    const submitted = this.submitted;
    const names = this.names;
    order.sort(
      (a, b) =>
        (priority[b] ?? 0) - (priority[a] ?? 0) ||
        (submitted[a] ?? 0) - (submitted[b] ?? 0) ||
        ((names[a] ?? '') < (names[b] ?? '') ? -1 : 1),
    );
    this.names = order.map((i) => names[i] ?? '');
    this.priority = order.map((i) => priority[i] ?? 0);
    this.submitted = order.map((i) => submitted[i] ?? 0);
    this.head = 0;
    this.sweepAt = this.names.length;
  }
}
