// What an open job waits for: the jobs named in its [control] after and after_any, each with
// its state now, for `fjd status JOB`.
import fs from 'node:fs';
import type {HomePaths} from '../home/layout.js';
import {listDir} from '../home/atomic.js';
import {dependencyKeys, isIgnoredName} from '../home/names.js';
import {podDir} from '../home/paths.js';
import {decodeJobText, parseJobText} from '../job/job-file.js';

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
  // Each directory is listed once, as the names a dependency may use (dependencyKeys).
  const keysIn = (dirs: string[]): Set<string> => {
    const keys = new Set<string>();
    for (const dir of dirs)
      for (const name of listDir(dir)) if (!isIgnoredName(name)) for (const key of dependencyKeys(name)) keys.add(key);
    return keys;
  };
  const open = keysIn([paths.jobqueue]);
  const assigned = keysIn(listDir(paths.workers).map((worker) => podDir(paths, worker)));
  const failed = keysIn([paths.failed]);
  const finished = keysIn([paths.done]);
  const stateOf = (dep: string): Dependency['state'] =>
    open.has(dep)
      ? 'open'
      : assigned.has(dep)
        ? 'assigned'
        : failed.has(dep)
          ? 'failed'
          : finished.has(dep)
            ? 'finished'
            : 'unknown';
  return [...after.map((name) => ({name, any: false})), ...afterAny.map((name) => ({name, any: true}))].map((dep) => ({
    ...dep,
    state: stateOf(dep.name),
  }));
}
