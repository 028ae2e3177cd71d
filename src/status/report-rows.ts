// The rows of `fjd report`, one at a time: one per job (the newest job of each name), or one
// per attempt of every job (allAttempts), each with the `[params]` of its job file. They come
// from the records in .fjd/records/, read one by one in the order of their ids (a name's ids
// together, `a`, `a~2`, `a~3`), then from the jobs in jobqueue/ that no dispatcher has taken
// yet (they have no record). Only the names of the records and of jobqueue/ are held in
// memory, never the rows. A record or job file that cannot be read still gives its row, with
// what is known, and a warning naming the file.
import path from 'node:path';
import type {HomePaths} from '../home/layout.js';
import {isIgnoredName, numberedName, idStem, parseId} from '../home/names.js';
import {podDir} from '../home/paths.js';
import type {AttemptRecord, JobRecord} from '../home/record.js';
import {readRecordOrProblem, recordIds} from '../home/record-reader.js';
import {entryExists as exists, listDir} from '../home/atomic.js';
import {readParams} from './job-params.js';

// A row's state: where the job stands (a job put back in the queue is open), or with
// allAttempts how that attempt went. `unknown`: its record cannot be read and its file is in
// no directory of ended jobs.
export type RowState = 'open' | 'assigned' | 'running' | 'finished' | 'failed' | 'requeued' | 'lost' | 'unknown';

export const ROW_STATES: readonly RowState[] = [
  'open',
  'assigned',
  'running',
  'finished',
  'failed',
  'requeued',
  'lost',
  'unknown',
];

// The states of rows that have ended, as GNU parallel's joblog lists them.
export const ENDED_STATES: ReadonlySet<RowState> = new Set(['finished', 'failed', 'requeued', 'lost']);

export interface ReportRow {
  // null for a job in jobqueue/ never handed out (it gets its id then).
  id: string | null;
  name: string;
  state: RowState;
  // The attempt this row shows (allAttempts), else null.
  attempt: number | null;
  // How many attempts the job has had.
  attempts: number;
  exitCode: number | null;
  signal: string | null;
  reason: string | null;
  host: string | null;
  startedAt: string | null;
  endedAt: string | null;
  durationMs: number | null;
  command: string[] | null;
  // The job file, relative to the home, where it was looked for; null when nowhere.
  file: string | null;
  // Its [params], in the file's order; empty when it has none or cannot be read.
  params: Map<string, string>;
}

export interface RowOptions {
  allAttempts: boolean;
  // Only rows in these states; undefined: every row.
  states?: ReadonlySet<RowState>;
  warn: (message: string) => void;
}

// A key that sorts ids as people do: `job2` before `job10`, a name before its `~2`.
function sortKey(id: string): string {
  const {name, number} = parseId(id);
  const padded = (text: string): string =>
    text.replace(/\d+/g, (digits) => `${String(digits.length).padStart(3, '0')}${digits}`);
  return `${padded(name)}\u0000${padded(String(number))}`;
}

function sortedIds(paths: HomePaths): string[] {
  const keyed = recordIds(paths).map((id) => [sortKey(id), id] as const);
  keyed.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return keyed.map(([, id]) => id);
}

function jobState(record: JobRecord): RowState {
  return record.state === 'requeued' ? 'open' : record.state;
}

// Where a job's file is by its record, relative to the home, and whether that is in jobqueue/
// (put back, or reserved by a dispatcher that has not moved it to the worker's pod yet).
function placeOf(paths: HomePaths, record: JobRecord): {file: string; queued: string | undefined} {
  const queued = record.requeuedAs ?? record.name;
  if (record.state === 'requeued' || record.state === 'open') return {file: path.join('jobqueue', queued), queued};
  if ((record.state === 'running' || record.state === 'assigned') && record.worker !== null) {
    const pod = path.join(podDir(paths, record.worker), record.id);
    if (record.state === 'running' || exists(pod)) return {file: path.relative(paths.root, pod), queued: undefined};
    return {file: path.join('jobqueue', queued), queued};
  }
  return {file: record.file ?? path.join(record.state === 'failed' ? 'failed' : 'done', record.id), queued: undefined};
}

// The job's params, from the file at `rel`; a warning names it when it cannot be read.
function paramsAt(paths: HomePaths, rel: string | null, warn: (message: string) => void): Map<string, string> {
  if (rel === null) return new Map();
  const read = readParams(path.join(paths.root, rel));
  if (read.params !== undefined) return read.params;
  warn(`${path.join(paths.root, rel)}: ${read.problem}; its row has no [params]`);
  return new Map();
}

function jobRow(record: JobRecord, file: string, params: Map<string, string>): ReportRow {
  return {
    id: record.id,
    name: record.name,
    state: jobState(record),
    attempt: null,
    attempts: record.attempts.length,
    exitCode: record.exitCode,
    signal: record.signal,
    reason: record.reason,
    host: record.host,
    startedAt: record.startedAt,
    endedAt: record.endedAt,
    durationMs: record.durationMs,
    command: record.command,
    file,
    params,
  };
}

function attemptRow(job: ReportRow, attempt: AttemptRecord): ReportRow {
  return {
    ...job,
    state: attempt.outcome,
    attempt: attempt.attempt,
    exitCode: attempt.exitCode,
    signal: attempt.signal,
    reason: attempt.reason,
    host: attempt.host,
    startedAt: attempt.startedAt,
    endedAt: attempt.endedAt,
    durationMs: attempt.durationMs,
  };
}

function emptyRow(id: string | null, name: string, state: RowState, file: string | null): ReportRow {
  return {
    id,
    name,
    state,
    attempt: null,
    attempts: 0,
    exitCode: null,
    signal: null,
    reason: null,
    host: null,
    startedAt: null,
    endedAt: null,
    durationMs: null,
    command: null,
    file,
    params: new Map(),
  };
}

export function* reportRows(paths: HomePaths, options: RowOptions): Generator<ReportRow> {
  const ids = sortedIds(paths);
  const queued = new Set(listDir(paths.jobqueue).filter((name) => !isIgnoredName(name)));
  // The highest number among the ids of each name, to tell the newest job of a name.
  const newest = new Map<string, number>();
  for (const id of ids) {
    const {name, number} = parseId(id);
    newest.set(name, Math.max(number, newest.get(name) ?? 0));
  }
  const claimed = new Set<string>();
  // The name in the record of a name's newest id, read once however many ids it supersedes.
  const newestNamed = new Map<string, string | undefined>();
  const nameOfNewest = (stem: string, top: number): string | undefined => {
    const id = numberedName(stem, top);
    if (!newestNamed.has(id)) newestNamed.set(id, readRecordOrProblem(paths, id).record?.name);
    return newestNamed.get(id);
  };
  const wanted = (row: ReportRow): boolean => options.states === undefined || options.states.has(row.state);
  for (const id of ids) {
    const read = readRecordOrProblem(paths, id);
    const parsed = parseId(id);
    const record = read.record;
    if (record === undefined) {
      if (!options.allAttempts && parsed.number < (newest.get(parsed.name) ?? 0)) continue;
      const ended = [['done', 'finished'] as const, ['failed', 'failed'] as const].find(([dir]) =>
        exists(path.join(paths.root, dir, id)),
      );
      options.warn(`${read.file}: ${read.problem}; its row shows only what the directories tell`);
      const row = emptyRow(
        id,
        parsed.name,
        ended?.[1] ?? 'unknown',
        ended === undefined ? null : path.join(ended[0], id),
      );
      if (wanted(row)) yield {...row, params: paramsAt(paths, row.file, options.warn)};
      continue;
    }
    const place = placeOf(paths, record);
    if (place.queued !== undefined) claimed.add(place.queued);
    if (!options.allAttempts) {
      const top = newest.get(parsed.name) ?? 0;
      // A later job of the same name, recorded or still in jobqueue/, supersedes this one.
      if (parsed.number < top && nameOfNewest(idStem(record.name), top) === record.name) continue;
      if (place.queued === undefined && queued.has(record.name) && parsed.number === top) continue;
    }
    const file = place.file;
    const job = jobRow(record, file, new Map());
    const rows =
      options.allAttempts && record.attempts.length > 0 ? record.attempts.map((a) => attemptRow(job, a)) : [job];
    const shown = rows.filter(wanted);
    if (shown.length === 0) continue;
    const params = paramsAt(paths, file, options.warn);
    for (const row of shown) yield {...row, params};
  }
  for (const name of [...queued].filter((n) => !claimed.has(n)).sort()) {
    const row = emptyRow(null, name, 'open', path.join('jobqueue', name));
    if (wanted(row)) yield {...row, params: paramsAt(paths, row.file, options.warn)};
  }
}
