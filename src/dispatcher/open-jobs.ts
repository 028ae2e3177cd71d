// The open jobs: every job file in jobqueue/ that the dispatcher knows of, by name, with how
// far the intake has come with it (its Arrival); and, from the first dependency looked up on,
// also by the names a dependency may use for them (dependencyKeys): `a` finds `a.ini` and
// `a~2.ini` at once, however long the backlog. Owned by the intake (intake.ts); the gate and
// the dispatcher read it.
import {dependencyKeys} from '../home/names.js';

// How far the intake has come with a job file (the table in dispatcher.ts). The states that
// carry no data are bare strings, so that a backlog of 100,000 costs no object per job.
export type Arrival =
  // Found by listing; its file not read yet: it waits in the backlog (backlog.ts).
  | 'unread'
  // Found by listing and read: in line or held. How old it is, is judged when it comes up.
  | 'listed'
  // Seen to appear (an event): watched while it may still be written.
  | Watched;

export interface Watched {
  // probing: just appeared, watched a moment for a writer; settling: written to, waiting for
  // quiet; seen: quiet, and read: in line or held.
  state: 'probing' | 'settling' | 'seen';
  // Written to since the last look.
  changed: boolean;
  // Its size and mtime at the last look (-1: not looked at).
  size: number;
  mtimeMs: number;
  // Found by a listing (written moments ago), not seen to appear.
  listed?: true;
}

// Most keys name one job: a bare string, not a list.
type Index = Map<string, string | string[]>;

export class OpenJobs extends Map<string, Arrival> {
  private byKey: Index | undefined;

  override set(name: string, arrival: Arrival): this {
    if (this.byKey !== undefined && !super.has(name)) index(this.byKey, name);
    return super.set(name, arrival);
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

  // Whether the job may go when it comes up: found by listing (read or not), or seen and quiet;
  // not a file being watched while it may still be written.
  isReady(name: string): boolean {
    const arrival = super.get(name);
    return arrival !== undefined && (typeof arrival === 'string' || arrival.state === 'seen');
  }

  // The names of open jobs that a dependency named `key` means.
  namesFor(key: string): readonly string[] {
    if (this.byKey === undefined) {
      this.byKey = new Map();
      for (const name of this.keys()) index(this.byKey, name);
    }
    const names = this.byKey.get(key);
    return names === undefined ? [] : typeof names === 'string' ? [names] : names;
  }
}

function index(byKey: Index, name: string): void {
  for (const key of dependencyKeys(name)) {
    const names = byKey.get(key);
    if (names === undefined) byKey.set(key, name);
    else if (typeof names === 'string') byKey.set(key, [names, name]);
    else names.push(name);
  }
}
