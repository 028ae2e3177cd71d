// What an open job waits for: the jobs named in its [control] after and after_any, each with
// its state now, for `fjd status JOB`.
import fs from 'node:fs';
import path from 'node:path';
import type {HomePaths} from '../home/layout.js';
import {listDir} from '../home/atomic.js';
import {isIgnoredName} from '../home/names.js';
import {decodeJobText, parseJobText} from '../job/job-file.js';
import {dependencyKeys} from '../dispatcher/schedule.js';

export interface Dependency {
  name: string;
  // any: after_any (it may end however); else it must finish with exit 0.
  any: boolean;
  state: 'open' | 'assigned' | 'finished' | 'failed' | 'unknown';
}

export function waitsFor(paths: HomePaths, file: string): Dependency[] {
  let after: string[];
  let afterAny: string[];
  try {
    ({after, afterAny} = parseJobText(decodeJobText(fs.readFileSync(file))).control);
  } catch {
    return [];
  }
  if (after.length === 0 && afterAny.length === 0) return [];
  const matches = (dir: string, dep: string): boolean => listDir(dir).some((name) => !isIgnoredName(name) && dependencyKeys(name).includes(dep));
  const inPods = (dep: string): boolean =>
    listDir(paths.workers).some((worker) => matches(path.join(paths.workers, worker, 'pod'), dep));
  const stateOf = (dep: string): Dependency['state'] => {
    if (matches(paths.jobqueue, dep)) return 'open';
    if (inPods(dep)) return 'assigned';
    if (matches(paths.failed, dep)) return 'failed';
    if (matches(paths.done, dep)) return 'finished';
    return 'unknown';
  };
  return [...after.map((name) => ({name, any: false})), ...afterAny.map((name) => ({name, any: true}))].map((dep) => ({...dep, state: stateOf(dep.name)}));
}
