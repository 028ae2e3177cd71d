// What scheduling needs from a job file: its priority (or the one `fjd prioritize` set), its
// submission time (or the place in line a job put back in the queue keeps, from its record),
// its group, the jobs it waits for, and what it asks of its worker ([control] cpus, memory, gpus). Read by the dispatcher for every job of a backlog
// (src/dispatcher/ready-queue.ts orders them), and by `fjd status JOB` and `fjd prioritize`.
import fs from 'node:fs';
import path from 'node:path';
import {errnoCode} from '../errors.js';
import {decodeJobText, parseJobText} from '../job/job-file.js';
import {DEFAULT_REQUEST, type Request} from '../job/resources.js';
import {isTransientFsError} from '../util/transient.js';
import type {HomePaths} from './layout.js';
import {recordPath} from './paths.js';
import {priorityOverride} from './priority.js';
import type {JobRecord} from './record.js';

export interface JobMeta {
  name: string;
  priority: number;
  submittedMs: number;
  group: string | undefined;
  after: string[];
  afterAny: string[];
  // What it needs of a worker's free capacity; DEFAULT_REQUEST itself (shared, frozen) when it
  // asks for nothing more than one cpu.
  request: Readonly<Request>;
  // The order in which this dispatcher saw files appear, for files whose ctimes are equal (a
  // filesystem's clock moves in ticks of a few ms); 0 for files found by listing, which are
  // then ordered by name.
  seq: number;
  // Bumped when the file is read again (re-prioritised): older heap entries are stale.
  version: number;
  // Set when the file is there but cannot be opened (EACCES): the errno code. The dispatcher
  // fails such a job with the reason.
  unreadable?: string;
  // The file as it was read, when it is a regular file: its mtime and size (from the fstat of
  // the read, by the file server's clock), and when it was read (performance.now(), this
  // process's clock). The dispatcher judges a job just read by these (dispatcher/intake.ts).
  file?: {mtimeMs: number; size: number; readAtMs: number};
}

const META_READ_CAP = 64 * 1024;
// One buffer for every read (a backlog of 100,000 files would otherwise leave as many behind).
const readBuffer = Buffer.alloc(META_READ_CAP);
const SCHEDULING_KEYS = /priority|group|after|cpus|memory|gpus/i;
// Most jobs wait for nothing: they share one empty list.
const NONE: string[] = [];

// Reads what scheduling needs from the job file `dir`/NAME (jobqueue/, or a pod); undefined
// when it is gone. A file that does not parse gets the defaults: the worker fails it with its
// reason. With `home`, for a job in jobqueue/, a priority set with `fjd prioritize` wins over
// the file's (unless `overridden` says it has none), and a job put back in the queue keeps its
// place in line (from its record; unless `mayBePutBack`, given the file's ctime, says it has
// none).
export function readJobMeta(
  dir: string,
  name: string,
  home?: HomePaths,
  overridden = true,
  mayBePutBack?: (ctimeMs: number) => boolean,
): JobMeta | undefined {
  let fd: number;
  try {
    fd = fs.openSync(path.join(dir, name), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  } catch (error) {
    const code = errnoCode(error);
    if (code === undefined || code === 'ENOENT') return undefined;
    // A symbolic link, the worker fails with its reason; trouble that passes (a full disk,
    // an unreachable server), the worker waits out.
    if (code === 'ELOOP' || isTransientFsError(code)) return defaults(name, Date.now());
    return {...defaults(name, Date.now()), unreadable: code};
  }
  try {
    const stat = fs.fstatSync(fd);
    const meta = defaults(
      name,
      (home === undefined || mayBePutBack?.(stat.ctimeMs) === false ? undefined : keptPlace(home, name)) ??
        stat.ctimeMs,
    );
    if (stat.isFile()) meta.file = {mtimeMs: stat.mtimeMs, size: stat.size, readAtMs: performance.now()};
    if (!stat.isFile() || stat.size > META_READ_CAP) return meta;
    const got = stat.size === 0 ? 0 : fs.readSync(fd, readBuffer, 0, stat.size, 0);
    // Most job files name none of these keys: no need to parse them (nor to leave the garbage
    // of parsing 100,000 of them behind).
    const override = home === undefined || !overridden ? undefined : priorityOverride(home, name, stat.ino);
    if (override !== undefined) meta.priority = override;
    if (!SCHEDULING_KEYS.test(readBuffer.toString('latin1', 0, got))) return meta;
    try {
      const {control} = parseJobText(decodeJobText(readBuffer.subarray(0, got)));
      meta.priority = override ?? control.priority;
      meta.group = control.group;
      if (control.after.length > 0) meta.after = control.after;
      if (control.afterAny.length > 0) meta.afterAny = control.afterAny;
      meta.request = control.request;
    } catch {
      // The worker fails it with the reason.
    }
    return meta;
  } catch {
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}

// A job put back in jobqueue/ (its worker lost or stopped, given back by a busy worker,
// `fjd retry`) keeps its place in line: its record, whose id is its name as for nearly every
// job, holds the ctime its file had when it was first handed out. A new file's name has no
// record: one existence check, no exception.
function keptPlace(home: HomePaths, name: string): number | undefined {
  const file = recordPath(home, name);
  if (!fs.existsSync(file)) return undefined;
  try {
    const record = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<JobRecord>;
    if (
      record.state === 'requeued' &&
      record.name === name &&
      record.requeuedAs === name &&
      typeof record.submittedMs === 'number'
    )
      return record.submittedMs;
  } catch {
    // Gone or cut short meanwhile: its file's own time.
  }
  return undefined;
}

function defaults(name: string, submittedMs: number): JobMeta {
  return {
    name,
    priority: 0,
    submittedMs,
    group: undefined,
    after: NONE,
    afterAny: NONE,
    request: DEFAULT_REQUEST,
    seq: 0,
    version: 0,
  };
}
