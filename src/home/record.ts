// The machine-readable record of a job: one JSON file per job id in .fjd/records/, written
// whole by rename, so a reader sees one complete version. Field names are a protocol; the
// records and attempts of every kind are built here (newRecord, attemptRecord), and a job's id
// is reserved here, by creating its record (reserveRecord).
import type {HomePaths} from './layout.js';
import {createExclusive, readJson, readJsonAfresh, writeFileAtomic} from './atomic.js';
import {numberedName} from './names.js';
import {recordPath} from './paths.js';
import type {Request} from '../job/resources.js';

export type JobState = 'open' | 'assigned' | 'running' | 'finished' | 'failed' | 'requeued';

export interface AttemptRecord {
  attempt: number;
  worker: string;
  // Where it ran (null when that is not known).
  host: string | null;
  // The job's process, the leader of its process group.
  pid: number | null;
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
  exitCode: number | null;
  signal: string | null;
  reason: string | null;
  // Where this attempt's output went, relative to the home.
  stdout: string | null;
  stderr: string | null;
  // requeued: stopped on purpose (fire --now, SIGTERM); lost: its worker died or lost its lease.
  outcome: 'running' | 'finished' | 'failed' | 'requeued' | 'lost';
}

export interface JobRecord {
  fjd: 1;
  // Unique in the home: the job's name, or `stem~N.ext` for the N-th job of that name.
  id: string;
  // The file name the job was dropped under in jobqueue/.
  name: string;
  state: JobState;
  assignedAt: string | null;
  worker: string | null;
  host: string | null;
  startedAt: string | null;
  endedAt: string | null;
  durationMs: number | null;
  exitCode: number | null;
  signal: string | null;
  // Why the job failed or could not run, in one line; null when it exited 0.
  reason: string | null;
  command: string[] | null;
  workdir: string | null;
  // Paths relative to the home.
  stdout: string | null;
  stderr: string | null;
  file: string | null;
  // Set while a requeued job waits in jobqueue/: the name it waits under there, so that the
  // dispatcher gives it back this id and its history when it assigns it again.
  requeuedAs: string | null;
  // Its place in line: the ctime its file had in jobqueue/ when it was first handed out (ms,
  // by the file server's clock), kept when it is put back, so that it keeps that place. Absent
  // in records of earlier versions.
  submittedMs?: number | null;
  // What it asks of its worker ([control] cpus, memory, gpus), written when it is handed
  // out; absent or null: the default (1 cpu, no memory, no GPU).
  request?: Request | null;
  attempts: AttemptRecord[];
}

// A fresh record for a job that has just been given an id.
export function newRecord(id: string, name: string): JobRecord {
  return {
    fjd: 1,
    id,
    name,
    state: 'open',
    assignedAt: null,
    worker: null,
    host: null,
    startedAt: null,
    endedAt: null,
    durationMs: null,
    exitCode: null,
    signal: null,
    reason: null,
    command: null,
    workdir: null,
    stdout: null,
    stderr: null,
    file: null,
    requeuedAs: null,
    attempts: [],
  };
}

// A new attempt, running from `startedAt`, with nothing known yet of how it ends; `ended`
// sets what is (a recovery builds an attempt that is over already).
export function attemptRecord(
  started: Pick<AttemptRecord, 'attempt' | 'worker' | 'host' | 'startedAt'>,
  ended: Partial<AttemptRecord> = {},
): AttemptRecord {
  return {
    attempt: started.attempt,
    worker: started.worker,
    host: started.host,
    pid: null,
    startedAt: started.startedAt,
    endedAt: null,
    durationMs: null,
    exitCode: null,
    signal: null,
    reason: null,
    outcome: 'running',
    stdout: null,
    stderr: null,
    ...ended,
  };
}

// A job's record, or undefined when it has none (or an unreadable one). A record that reads
// cut short, as a file replaced on another host can on some mounts, is read again afresh.
export function readRecord(paths: HomePaths, id: string): JobRecord | undefined {
  const file = recordPath(paths, id);
  return readJson<JobRecord>(file) ?? readJsonAfresh<JobRecord>(paths.tmp, file);
}

export function writeRecord(paths: HomePaths, record: JobRecord): void {
  writeFileAtomic(paths.tmp, recordPath(paths, record.id), `${JSON.stringify(record, null, 2)}\n`);
}

// Writes the first record of an id, only if that id is still free: this reserves the id.
export function createRecord(paths: HomePaths, record: JobRecord): boolean {
  return createExclusive(recordPath(paths, record.id), `${JSON.stringify(record, null, 2)}\n`);
}

// Reserves an id for a job: the first of `stem` (its name, or idStem's shorter one),
// `stem~2.ext`, … (from the number `first` on) whose record it can create (O_EXCL), or whose
// record `takeOver` accepts, returning what replaces it (a job coming back after a requeue
// keeps its id and history), or the record itself to take it as it is. Returns the record. A record that cannot be read was cut short by a holder of the
// dispatcher lock that died while writing it (only one acts at a time): that id is free.
export function reserveRecord(
  paths: HomePaths,
  stem: string,
  first: number,
  fresh: (id: string) => JobRecord,
  takeOver: (existing: JobRecord) => JobRecord | undefined,
): JobRecord {
  for (let n = first; ; n++) {
    const candidate = fresh(numberedName(stem, n));
    if (createRecord(paths, candidate)) return candidate;
    const existing = readRecord(paths, candidate.id);
    const record = existing === undefined ? candidate : takeOver(existing);
    if (record !== undefined) {
      if (record !== existing) writeRecord(paths, record);
      return record;
    }
  }
}
