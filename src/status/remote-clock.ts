// How long the jobs of a worker on another host have run, told without comparing that host's
// clock with this one's. A job's start is by its worker's clock; the file server stamps each
// file it writes by its own. A file that says when it was written by the worker's clock, and
// has the server's mtime, gives the offset between the two clocks: the worker's announcement
// (its `at`, written anew each time it announces itself), else its info.json (`startedAt`,
// unless a note that it polls rewrote it later), else its note of its jobs (written no earlier
// than its latest job started: so a bound, and the times a little short, never long). The
// heartbeat's mtime is the server's "now", at most one heartbeat old.
import fs from 'node:fs';
import type {HomePaths} from '../home/layout.js';
import {readJson} from '../home/atomic.js';
import {announcementPath, currentJobPath, heartbeatPath, infoPath} from '../home/paths.js';
import type {CurrentJob} from '../home/current-job.js';
import type {WorkerInfo} from '../home/registry.js';

function mtimeOf(file: string): number | undefined {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

// The file server's clock less the worker's, in ms; undefined when nothing tells.
function clockOffset(paths: HomePaths, info: WorkerInfo, notes: readonly CurrentJob[]): number | undefined {
  const pairs: (() => [number | undefined, number])[] = [
    () => {
      const file = announcementPath(paths, info.id);
      const at = readJson<{at?: string}>(file)?.at;
      return [typeof at === 'string' ? mtimeOf(file) : undefined, Date.parse(at ?? '')];
    },
    () => [
      typeof info.polling === 'string' ? undefined : mtimeOf(infoPath(paths, info.id)),
      Date.parse(info.startedAt),
    ],
    () => [mtimeOf(currentJobPath(paths, info.id)), Math.max(...notes.map((note) => Date.parse(note.startedAt)))],
  ];
  for (const pair of pairs) {
    const [server, worker] = pair();
    if (server !== undefined && Number.isFinite(worker)) return server - worker;
  }
  return undefined;
}

// How long each noted job of the worker has run, by the file server's clock.
export function runningElsewhere(
  paths: HomePaths,
  info: WorkerInfo,
  notes: readonly CurrentJob[],
): (note: CurrentJob) => number | null {
  if (notes.length === 0) return () => null;
  const beat = mtimeOf(heartbeatPath(paths, info.id));
  const offset = clockOffset(paths, info, notes);
  return (note) => {
    const started = Date.parse(note.startedAt);
    if (beat === undefined || offset === undefined || !Number.isFinite(started)) return null;
    return Math.max(0, beat - (started + offset));
  };
}
