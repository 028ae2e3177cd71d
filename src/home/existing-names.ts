// The names of every job a home holds, in any state: waiting in jobqueue/, handed to a worker
// (its pod), finished or failed. What `fjd submit --skip-existing` skips. A job's state is where
// its file is, so it reads the directories alone: one listing of each (jobqueue/, each worker's
// pods, done/, failed/), in the order a job moves through them, so that a job moving meanwhile is
// seen in one place or the next; never a stat or a read per job, on a home of any size.
import {listDir} from './atomic.js';
import type {HomePaths} from './layout.js';
import {isIgnoredName, parseId} from './names.js';
import {podDirsOf} from './paths.js';

// Every job name in the home, by its bulkKey: each file's name as it is, and the name its id was
// numbered from (`sweep-1` for `done/sweep-1~2`, as for `jobqueue/sweep-1~2`, a second submit of
// it).
export function existingJobNames(paths: HomePaths): Set<string> {
  const names = new Set<string>();
  const add = (entries: string[]): void => {
    for (const entry of entries) {
      if (isIgnoredName(entry)) continue;
      names.add(bulkKey(entry));
      names.add(bulkKey(parseId(entry).name));
    }
  };
  add(listDir(paths.jobqueue));
  for (const worker of listDir(paths.workers)) {
    if (worker.startsWith('.')) continue;
    for (const pod of podDirsOf(paths, worker)) add(listDir(pod));
  }
  add(listDir(paths.done));
  add(listDir(paths.failed));
  return names;
}

// A bulk name without the zeros its number was padded with: `sweep-07` of 40 jobs and `sweep-7`
// of 9 are the same job of a CSV that has grown since (bulk names are padded to the width of
// the count: submit/plan.ts).
export function bulkKey(name: string): string {
  return name.replace(/-0*(\d+)$/, '-$1');
}
