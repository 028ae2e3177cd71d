// The jobs waiting in jobqueue/ now, by name: what `fjd run` finds left over from an earlier
// run before it starts (it runs them too, and hires workers for them).
import type {HomePaths} from '../home/layout.js';
import {listDir} from '../home/atomic.js';
import {isIgnoredName} from '../home/names.js';

// The names in jobqueue/ that are jobs (not being written, not an editor's), sorted; one listing.
export function waitingJobNames(paths: HomePaths): string[] {
  return listDir(paths.jobqueue)
    .filter((name) => !isIgnoredName(name))
    .sort();
}
