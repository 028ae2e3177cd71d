// Finding one job in a home, by its id, its name, or its path (`done/x`, `jobqueue/x`,
// `.fjd/workers/W/pod/x`), for `fjd status JOB`, `fjd logs JOB` and `fjd cancel JOB`. Like
// collectStatus, it reads the directories alone: a job's state is where its file is. It never
// prints; a caller says "not found" (jobNotFound) or "several matched" (`others`). It is part
// of the protocol because `fjd cancel` (queue/) locates jobs as much as status/ does. It goes
// to a job's own files by name: nothing here lists done/, failed/ or .fjd/records/, which hold
// every job that ever ended.
import path from 'node:path';
import {FjdError} from '../errors.js';
import type {HomePaths} from './layout.js';
import {entryExists as exists, listDir, readJson} from './atomic.js';
import {idNumber, idStem, isIgnoredName, numberedName} from './names.js';
import {isPodDir, podDir, recordPath} from './paths.js';
import {readRecord, type JobRecord} from './record.js';
import {runningJob, type CurrentJob} from './current-job.js';

// Where a job stands, as the directories tell (a requeued job is open again).
export type ReportedJobState = 'open' | 'assigned' | 'running' | 'finished' | 'failed';

export interface FoundJob {
  // null for an open job that was never assigned (it gets its id when it is).
  id: string | null;
  name: string;
  state: ReportedJobState;
  // Where the job file is: relative to the home, and absolute.
  file: string;
  path: string;
  // The worker holding it (assigned or running), else null.
  worker: string | null;
  // What the worker notes about the running attempt (number, start), when it runs.
  current: CurrentJob | undefined;
  // As stored in .fjd/records/; undefined for an open job never assigned.
  record: JobRecord | undefined;
  // Other jobs the same name matched (ids, or jobqueue/ names of open jobs), newest first:
  // the caller should say that it shows the newest.
  others: string[];
}

// Where the job with this id is now, from its record and the directories.
function locate(paths: HomePaths, id: string, record: JobRecord | undefined): FoundJob | undefined {
  const at = (state: ReportedJobState, file: string, worker: string | null = null, current?: CurrentJob): FoundJob => ({
    id,
    name: record?.name ?? id,
    state,
    file: path.relative(paths.root, file),
    path: file,
    worker,
    current,
    record,
    others: [],
  });
  for (const worker of listDir(paths.workers)
    .filter((w) => !w.startsWith('.'))
    .sort()) {
    const file = path.join(podDir(paths, worker), id);
    if (!exists(file)) continue;
    const current = runningJob(paths, worker, id);
    return current !== undefined ? at('running', file, worker, current) : at('assigned', file, worker);
  }
  if (exists(path.join(paths.done, id))) return at('finished', path.join(paths.done, id));
  if (exists(path.join(paths.failed, id))) return at('failed', path.join(paths.failed, id));
  if (record?.state === 'requeued' || record?.state === 'assigned') {
    // Back in the queue (requeued or retried), or reserved by a dispatcher that has not moved it yet.
    const queued = record.requeuedAs ?? record.name;
    if (exists(path.join(paths.jobqueue, queued))) return at('open', path.join(paths.jobqueue, queued));
  }
  return undefined;
}

// Numbers tried past a missing id before a name's ids are taken to end: ids are taken in
// order from the name itself (reserveRecord), so a name's ids have no gaps but where a record
// was removed by hand.
const MISSES_TO_END = 2;

// The ids of the jobs of the name `ref`, with their records (undefined: there but unreadable),
// found by name and not by listing .fjd/records/: `ref`, `stem~2`, `stem~3`… up to the second
// missing in a row. It costs about an open per job of that name, however many the home has.
function idsByName(paths: HomePaths, ref: string): Map<string, JobRecord | undefined> {
  const ids = new Map<string, JobRecord | undefined>();
  const stem = idStem(ref);
  for (let n = 1, missing = 0; missing < MISSES_TO_END; n++) {
    const id = numberedName(stem, n);
    const file = recordPath(paths, id);
    // One open when the record is there; an open and an lstat when it is not.
    const record = readJson<JobRecord>(file);
    if (record !== undefined || exists(file)) {
      ids.set(id, record ?? readRecord(paths, id));
      missing = 0;
    } else missing++;
  }
  return ids;
}

// Every job whose id or name is `ref`, newest first: an open job never assigned, then by the
// number of its id (`name~3` after `name~2` after `name`).
function byIdOrName(paths: HomePaths, ref: string): FoundJob[] {
  const found: FoundJob[] = [];
  const ids = idsByName(paths, ref);
  // An id ref that is not itself a name still finds its job (done/x~2 without a record).
  for (const dir of [paths.done, paths.failed])
    if (!ids.has(ref) && exists(path.join(dir, ref))) ids.set(ref, undefined);
  const claimed = new Set<string>();
  for (const [id, record] of ids) {
    if (record !== undefined && record.name !== ref && id !== ref) continue;
    const job = locate(paths, id, record);
    if (job === undefined) continue;
    if (job.state === 'open') claimed.add(job.file);
    found.push(job);
  }
  const queued = path.join(paths.jobqueue, ref);
  if (!isIgnoredName(ref) && !claimed.has(path.relative(paths.root, queued)) && exists(queued)) {
    found.push({
      id: null,
      name: ref,
      state: 'open',
      file: path.relative(paths.root, queued),
      path: queued,
      worker: null,
      current: undefined,
      record: undefined,
      others: [],
    });
  }
  const rank = (job: FoundJob): number => (job.id === null ? Infinity : idNumber(job.name, job.id));
  return found.sort((a, b) => rank(b) - rank(a));
}

// The job a path inside the home names, such as done/x, failed/x, jobqueue/x or
// .fjd/workers/W/pod/x.
function byPath(paths: HomePaths, ref: string): FoundJob | undefined {
  const abs = path.resolve(paths.root, ref);
  const rel = path.relative(paths.root, abs);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  const dir = path.dirname(abs);
  const base = path.basename(abs);
  if (dir === paths.jobqueue) {
    if (!exists(abs)) return undefined;
    // A job put back in the queue keeps its record: one of its name's ids says it waits here.
    return byIdOrName(paths, base).find((job) => job.file === rel);
  }
  const inPod = isPodDir(paths, dir);
  if (dir === paths.done || dir === paths.failed || inPod) {
    const job = locate(paths, base, readRecord(paths, base));
    return job?.file === rel ? job : undefined;
  }
  return undefined;
}

// Finds one job by id, name or path. A name that several jobs had (a name submitted twice
// gets ids `name`, `name~2`…) gives the newest, with the others in `others`.
export function findJob(paths: HomePaths, ref: string): FoundJob | undefined {
  if (ref.includes('/')) return byPath(paths, ref);
  const [newest, ...rest] = byIdOrName(paths, ref);
  if (newest === undefined) return undefined;
  return {...newest, others: rest.map((job) => job.id ?? job.file)};
}

// Finds the job with exactly this id, without listing the records: cheap enough to poll.
export function findJobById(paths: HomePaths, id: string): FoundJob | undefined {
  return locate(paths, id, readRecord(paths, id));
}

// The error for a job that is nowhere in the home.
export function jobNotFound(paths: HomePaths, ref: string): FjdError {
  return new FjdError('JOB_NOT_FOUND', `no job "${ref}" in ${paths.root}`, {
    hint: 'Run fjd status to list the jobs (fjd status --json lists every one with its id).',
  });
}
