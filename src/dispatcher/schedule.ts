// The order in which open jobs are handed out, and what holds a job back: a job runs by its
// [control] priority (higher first), then by its submission time (first in, first out), then
// by name. The submission time is the job file's ctime in jobqueue/: set when the file appears
// there (by rename or link), by the file server's clock, and kept by the file itself across
// dispatcher restarts. A job of a group at its limit waits for one of the group to end; a job
// with `after` waits for those jobs to end.
import fs from 'node:fs';
import path from 'node:path';
import {decodeJobText, parseJobText} from '../job/job-file.js';
import {priorityOverride} from '../queue/prioritize.js';
import {errnoCode} from '../errors.js';
import {isTransientFsError} from '../util/transient.js';
import type {JobRecord} from '../job/record.js';

export interface JobMeta {
  name: string;
  priority: number;
  submittedMs: number;
  group: string | undefined;
  after: string[];
  afterAny: string[];
  // The order in which this dispatcher saw files appear, for files whose ctimes are equal (a
  // filesystem's clock moves in ticks of a few ms); 0 for files found by listing, which are
  // then ordered by name.
  seq: number;
  // Bumped when the file is read again (re-prioritised): older heap entries are stale.
  version: number;
  // Set when the file is there but cannot be opened (EACCES): the errno code. The dispatcher
  // fails such a job with the reason.
  unreadable?: string;
}

const META_READ_CAP = 64 * 1024;
// One buffer for every read (a backlog of 100,000 files would otherwise leave as many behind).
const readBuffer = Buffer.alloc(META_READ_CAP);
const SCHEDULING_KEYS = /priority|group|after/i;
// Most jobs wait for nothing: they share one empty list.
const NONE: string[] = [];

// Reads what scheduling needs from jobqueue/NAME; undefined when it is gone. A file that does
// not parse gets the defaults: the worker fails it with its reason.
// `overrides` is .fjd/priority/, for priorities set with `fjd prioritize`; `records` is
// .fjd/records/, where a job put back in the queue keeps its place in line.
export function readJobMeta(jobqueue: string, name: string, overrides?: string, records?: string): JobMeta | undefined {
  let fd: number;
  try {
    fd = fs.openSync(path.join(jobqueue, name), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
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
    const meta = defaults(name, (records === undefined ? undefined : keptPlace(records, name)) ?? stat.ctimeMs);
    if (!stat.isFile() || stat.size > META_READ_CAP) return meta;
    const got = stat.size === 0 ? 0 : fs.readSync(fd, readBuffer, 0, stat.size, 0);
    // Most job files name none of these keys: no need to parse them (nor to leave the garbage
    // of parsing 100,000 of them behind).
    const override = overrides === undefined ? undefined : priorityOverride(overrides, name, stat.ino);
    if (override !== undefined) meta.priority = override;
    if (!SCHEDULING_KEYS.test(readBuffer.toString('latin1', 0, got))) return meta;
    try {
      const {control} = parseJobText(decodeJobText(readBuffer.subarray(0, got)));
      meta.priority = override ?? control.priority;
      meta.group = control.group;
      if (control.after.length > 0) meta.after = control.after;
      if (control.afterAny.length > 0) meta.afterAny = control.afterAny;
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
function keptPlace(records: string, name: string): number | undefined {
  const file = path.join(records, `${name}.json`);
  if (!fs.existsSync(file)) return undefined;
  try {
    const record = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<JobRecord>;
    if (record.state === 'requeued' && record.name === name && record.requeuedAs === name && typeof record.submittedMs === 'number') return record.submittedMs;
  } catch {
    // Gone or cut short meanwhile: its file's own time.
  }
  return undefined;
}

function defaults(name: string, submittedMs: number): JobMeta {
  return {name, priority: 0, submittedMs, group: undefined, after: NONE, afterAny: NONE, seq: 0, version: 0};
}

// Whether a should be handed out before b.
function before(a: JobMeta, b: JobMeta): boolean {
  if (a.priority !== b.priority) return a.priority > b.priority;
  if (a.submittedMs !== b.submittedMs) return a.submittedMs < b.submittedMs;
  if (a.seq !== b.seq) return a.seq < b.seq;
  return a.name < b.name;
}

// A binary heap of open jobs in the order above. An entry whose job was put in line again
// since (re-prioritised) is stale and skipped: only the newest JobMeta of a name counts.
export class ReadyQueue {
  private heap: JobMeta[] = [];
  private readonly current = new Map<string, JobMeta>();

  get size(): number {
    return this.current.size;
  }

  has(name: string): boolean {
    return this.current.has(name);
  }

  meta(name: string): JobMeta | undefined {
    return this.current.get(name);
  }

  // Adds a job, or puts it in line again with what its file says now.
  push(meta: JobMeta): void {
    const known = this.current.get(meta.name);
    if (known === meta) return;
    meta.version = (known?.version ?? 0) + 1;
    this.current.set(meta.name, meta);
    this.insert(meta);
  }

  // Removes and returns the first job in line.
  pop(): JobMeta | undefined {
    for (;;) {
      const top = this.heap[0];
      if (top === undefined) return undefined;
      this.removeTop();
      if (this.current.get(top.name) !== top) continue;
      this.current.delete(top.name);
      return top;
    }
  }

  delete(name: string): void {
    this.current.delete(name);
  }

  private insert(meta: JobMeta): void {
    const heap = this.heap;
    heap.push(meta);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent];
      if (p === undefined || !before(meta, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = meta;
  }

  private removeTop(): void {
    const heap = this.heap;
    const last = heap.pop();
    if (last === undefined || heap.length === 0) return;
    const n = heap.length;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let best = -1;
      let bestEntry = last;
      const l = left < n ? heap[left] : undefined;
      if (l !== undefined && before(l, bestEntry)) {
        best = left;
        bestEntry = l;
      }
      const r = right < n ? heap[right] : undefined;
      if (r !== undefined && before(r, bestEntry)) {
        best = right;
        bestEntry = r;
      }
      if (best < 0) break;
      heap[i] = bestEntry;
      i = best;
    }
    heap[i] = last;
  }
}

// Group limits: `dispatcher --limit NAME=K` and the file `limits` in the home (lines
// `NAME = K`, `#` comments), read again whenever it changes. The flags win.
export function parseLimits(text: string, source: string): Map<string, number> {
  const limits = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const match = /^([^=:\s]+)\s*[=:]\s*(\d+)$/.exec(line);
    if (match === null) throw new Error(`${source}, line ${index + 1}: "${line}" is not NAME = COUNT`);
    limits.set(match[1] ?? '', Number(match[2]));
  });
  return limits;
}

// The name a dependency means: `a` names `a.ini` too (the extension may be left out), and a
// numbered id `a~2.ini` is a later job of the name `a.ini`.
export function dependencyKeys(name: string): string[] {
  const base = name.replace(/~\d+(?=\.[^.]*$|$)/, '');
  const dot = base.lastIndexOf('.');
  return dot > 0 ? [base, base.slice(0, dot)] : [base];
}
