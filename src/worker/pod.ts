// The pod, .fjd/workers/W/pod/: which jobs a dispatcher has put in this worker's hands, and in
// what order it handed them out, the order they run in. The watch reports the renames into the
// pod in that order; for jobs found by a listing, renaming a job into the pod sets its ctime, so
// that order survives whatever the names are; two handed out within one tick of the
// filesystem's clock are told apart by their records (the dispatcher's assignedAt is strictly
// increasing), and the name settles the rest.
import fs from 'node:fs';
import path from 'node:path';
import type {HomePaths} from '../home/layout.js';
import {listDir} from '../home/atomic.js';
import {podDir} from '../home/paths.js';
import {readRecord} from '../home/record.js';
import type {DirEvent} from '../util/watch-dir.js';

// The jobs in one worker's pod, first handed out first, known from what the worker saw: the
// names its watch of the pod reported (the dispatcher's rename into the pod raises one here, in
// the order of the renames), the jobs it moved out itself, and its last listing. It lists the
// pod only when told to (relist: on its tick, for a dispatcher on another host; when nothing
// known waits) or when an event does not say what came, and always when it cannot watch. Only
// jobs found by a listing are stat'ed for their ctime, so a steady pod costs no stat per job.
export class PodOrder {
  // The jobs believed in the pod, in hand-out order.
  private known: string[] = [];
  private readonly knownSet = new Set<string>();
  // Jobs this worker moved out of the pod whose event has not come yet: no arrival.
  private readonly moved = new Set<string>();
  private stale = true;
  // Whether a listing has found jobs that no event had told of, and no event has come since
  // for a job known: they were handed out from another host, whose renames raise no event
  // here, and a listing had better not wait for the tick. A job's event that comes after a
  // listing found it (the watch lagged) shows that events come after all.
  private missed = false;

  constructor(
    private readonly paths: HomePaths,
    private readonly workerId: string,
  ) {}

  // What the pod's watch reported. A job arrives by a rename (its name); a job's own changes,
  // and the worker's staged records (dot names), say nothing about what is there.
  event(kind: DirEvent, name: string | undefined): void {
    if (name === undefined) {
      this.stale = true;
      return;
    }
    if (kind !== 'rename' || name.startsWith('.')) return;
    if (name === path.basename(podDir(this.paths, this.workerId))) {
      // The pod itself was moved or removed (inotify names the directory then), or a job has
      // that name: a listing tells which.
      this.stale = true;
      return;
    }
    if (this.moved.delete(name)) return;
    if (this.knownSet.has(name)) {
      // Gone by a hand other than this worker's, or found by a listing before its event came:
      // a listing tells which. Either way, this pod's changes raise events here.
      this.stale = true;
      this.missed = false;
      return;
    }
    this.known.push(name);
    this.knownSet.add(name);
  }

  // This worker moved job `name` out of the pod (watched: its event is still to come).
  left(name: string, watching: boolean): void {
    this.forget(name);
    if (watching) this.moved.add(name);
  }

  // Job `name` is not in the pod after all.
  forget(name: string): void {
    if (!this.knownSet.delete(name)) return;
    this.known = this.known.filter((other) => other !== name);
  }

  // Whether jobs come in that no event tells of (a dispatcher on another host), by the
  // listings and events so far.
  get eventsMiss(): boolean {
    return this.missed;
  }

  // The jobs known to be in the pod, without a look.
  get names(): readonly string[] {
    return this.known;
  }

  // Lists the pod at the next look.
  relist(): void {
    this.stale = true;
  }

  // The jobs in the pod, in hand-out order; listed if told to, or if the worker does not watch.
  jobs(watching = false): string[] {
    if (this.stale || !watching) this.list();
    return [...this.known];
  }

  // Learns the pod's contents from a listing: jobs not there are forgotten; jobs not known
  // come after those known (a job known from its event, or an earlier listing, was handed out
  // before one whose event has not come, or that earlier listing did not show), in the order
  // their ctimes say.
  private list(): void {
    this.stale = false;
    const pod = podDir(this.paths, this.workerId);
    const names = listDir(pod).filter((name) => !name.startsWith('.'));
    const present = new Set(names);
    for (const name of this.known) if (!present.has(name)) this.forget(name);
    const found = names.filter((name) => !this.knownSet.has(name));
    if (found.length === 0) return;
    this.missed = true;
    if (found.length > 1) {
      const ctimeNs = new Map<string, bigint>();
      for (const name of found) {
        try {
          ctimeNs.set(name, fs.lstatSync(path.join(pod, name), {bigint: true}).ctimeNs);
        } catch {
          ctimeNs.set(name, 0n);
        }
      }
      handOutOrder(found, ctimeNs, (name) => readRecord(this.paths, name)?.assignedAt ?? '');
    }
    for (const name of found) {
      this.known.push(name);
      this.knownSet.add(name);
    }
  }
}

// Sorts `names` (in place, and returns them) by ctime, then by `assignedAt` (read only for
// names whose ctimes tie, once each), then by name. A name with no ctime counts as the oldest.
export function handOutOrder(
  names: string[],
  ctimeNs: ReadonlyMap<string, bigint>,
  assignedAt: (name: string) => string,
): string[] {
  const assigned = new Map<string, string>();
  return names.sort((a, b) => {
    const d = (ctimeNs.get(a) ?? 0n) - (ctimeNs.get(b) ?? 0n);
    if (d !== 0n) return d < 0n ? -1 : 1;
    let x = assigned.get(a);
    if (x === undefined) assigned.set(a, (x = assignedAt(a)));
    let y = assigned.get(b);
    if (y === undefined) assigned.set(b, (y = assignedAt(b)));
    if (x !== y) return x < y ? -1 : 1;
    return a < b ? -1 : a > b ? 1 : 0;
  });
}
