// Whether the home is there, and whether a worker's pod was taken away from it. A home can
// vanish as a whole for a moment (renamed away and back, an automounter, a remount), and that
// is no fence. A worker is fenced only when its pod is gone from a home that is there: the
// recovery renames the pod to pod.lost-… inside the worker's directory, and removes that
// directory once it has emptied it. So the fence is read from one listing of the worker's
// directory (or, if that directory is gone, of .fjd/workers/), taken at one moment: a home
// that is away, or that comes back between two looks, is never taken for a fence.
import fs from 'node:fs';
import path from 'node:path';
import {errnoCode} from '../errors.js';
import type {HomePaths} from './layout.js';

const NOT_THERE = new Set(['ENOENT', 'ENOTDIR']);

function notThere(error: unknown): boolean {
  return NOT_THERE.has(errnoCode(error) ?? '');
}

// The first of the home's directories that is not there (the home itself when its root is
// gone), or undefined when they all are. One that cannot be looked at (EACCES) is there.
export function missingHomeDir(paths: HomePaths): string | undefined {
  for (const dir of [paths.jobqueue, paths.workerqueue, paths.workers]) {
    try {
      fs.lstatSync(dir);
    } catch (error) {
      if (!notThere(error)) continue;
      return fs.existsSync(paths.root) ? dir : paths.root;
    }
  }
  return undefined;
}

// What to tell when the home, or `missing` in it, has gone.
export function homeGoneMessage(paths: HomePaths, missing: string): string {
  const what = missing === paths.root ? `the home ${paths.root} is gone` : `${missing} is gone`;
  return `${what} (moved, renamed or unmounted?); waiting for it to come back, with every job where it is`;
}

// Whether `pod` (.fjd/workers/W/pod, or a pod being closed or recovered) was taken away: it is
// missing from a listing of its worker's directory, or that directory is missing from a
// listing of .fjd/workers/. false when neither can be listed: the home is away, or refuses.
export function podTakenAway(pod: string): boolean {
  const worker = path.dirname(pod);
  try {
    return !fs.readdirSync(worker).includes(path.basename(pod));
  } catch (error) {
    if (!notThere(error)) return false;
  }
  try {
    return !fs.readdirSync(path.dirname(worker)).includes(path.basename(worker));
  } catch {
    return false;
  }
}

// Follows whether the home is there, and tells once when it goes and once when it is back
// (`tell` gets the directory that went missing, or undefined when all is back).
export class HomePresence {
  private missing: string | undefined;

  constructor(
    private readonly paths: HomePaths,
    private readonly tell: (missing: string | undefined) => void,
  ) {}

  // Gone, as of the last look.
  get gone(): boolean {
    return this.missing !== undefined;
  }

  // Looks again; true when the home is all there.
  check(): boolean {
    const missing = missingHomeDir(this.paths);
    const changed = (missing === undefined) !== (this.missing === undefined);
    this.missing = missing;
    if (changed) this.tell(missing);
    return missing === undefined;
  }
}
