// The jobs held back by the gate's verdicts (gate.ts), and putting them back in line when what
// held them changes: by their group's limit (per group, until a job of the group leaves or the
// limit rises), by a dependency (per name it waits for, until a job of that name ends), for a
// dependency nobody knows of yet (all together, at the next rescan interval), or because no
// worker known could run what it asks for (all together, when a worker registers or leaves,
// or what one offers becomes known). A held job is still open: it goes back in line only if
// it is still in jobqueue/, and with the newest entry of its name in line, if it has one.
import type {JobMeta} from '../home/job-meta.js';
import {formatRequest} from '../job/resources.js';
import type {HoldVerdict} from './gate.js';
import type {OpenJobs} from './open-jobs.js';
import type {ReadyQueue} from './ready-queue.js';

export class Holds {
  private readonly byLimit = new Map<string, JobMeta[]>();
  private readonly byDependency = new Map<string, JobMeta[]>();
  private unknown: JobMeta[] = [];
  private unfittable: JobMeta[] = [];
  // The kinds of request (formatRequest) that have been held as unfittable, each told once.
  private readonly toldUnfittable = new Set<string>();
  // Since when (monotonic ms) each open job has waited for a dependency nobody knows of; kept
  // while it goes back in line and is judged again, until its wait is over.
  private readonly waitingSince = new Map<string, number>();

  constructor(
    private readonly open: OpenJobs,
    private readonly queue: ReadyQueue,
  ) {}

  // Holds a job by the verdict; true when it is the first job held as unfittable for its kind
  // of request (to be told).
  hold(verdict: HoldVerdict, meta: JobMeta): boolean {
    if (verdict.by === 'limit') add(this.byLimit, verdict.group, meta);
    else if (verdict.by === 'dependency') add(this.byDependency, verdict.key, meta);
    else if (verdict.by === 'unknown') {
      this.waitingSince.set(meta.name, verdict.since);
      this.unknown.push(meta);
    } else {
      this.unfittable.push(meta);
      const kind = formatRequest(verdict.request);
      if (!this.toldUnfittable.has(kind)) {
        this.toldUnfittable.add(kind);
        return true;
      }
    }
    return false;
  }

  // The job's wait for an unknown dependency is over (it went, or failed, or waits for a
  // known one now).
  judged(name: string): void {
    if (this.waitingSince.size > 0) this.waitingSince.delete(name);
  }

  unknownSince(name: string): number | undefined {
    return this.waitingSince.get(name);
  }

  get holdsUnknown(): boolean {
    return this.unknown.length > 0;
  }

  // The groups that hold jobs by their limit.
  groups(): IterableIterator<string> {
    return this.byLimit.keys();
  }

  // What a job held for a dependency waits for (its entry), for finding cycles.
  waitingMeta(name: string): JobMeta | undefined {
    for (const list of this.byDependency.values()) for (const meta of list) if (meta.name === name) return meta;
    return undefined;
  }

  // A job of `group` left: its jobs held by the limit go back in line (and are held again
  // if it is still full).
  releaseGroup(group: string): void {
    this.backInLine(this.byLimit, group);
  }

  // A job that `key` names ended: what waited for it goes back in line.
  releaseDependents(key: string): void {
    this.backInLine(this.byDependency, key);
  }

  // The jobs waiting for an unknown dependency go back in line, to be judged again.
  releaseUnknown(): void {
    const held = this.unknown;
    this.unknown = [];
    for (const meta of held) this.putBack(meta);
  }

  // The workers have changed: the jobs no worker could run go back in line, to be judged again.
  releaseUnfittable(): void {
    if (this.unfittable.length === 0) return;
    const held = this.unfittable;
    this.unfittable = [];
    for (const meta of held) this.putBack(meta);
  }

  private backInLine(held: Map<string, JobMeta[]>, key: string): void {
    const list = held.get(key);
    if (list === undefined) return;
    held.delete(key);
    for (const meta of list) this.putBack(meta);
  }

  private putBack(meta: JobMeta): void {
    if (this.open.has(meta.name)) this.queue.push(this.queue.meta(meta.name) ?? meta);
  }
}

function add(held: Map<string, JobMeta[]>, key: string, meta: JobMeta): void {
  const list = held.get(key);
  if (list === undefined) held.set(key, [meta]);
  else list.push(meta);
}
