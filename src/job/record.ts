// The machine-readable record of a job: one JSON file per job id in .fjd/records/, written
// whole by rename, so a reader sees one complete version. Field names are a protocol.
import path from 'node:path';
import type {HomePaths} from '../home/layout.js';
import {createExclusive, readJson, readJsonAfresh, writeFileAtomic} from '../home/atomic.js';

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
  attempts: AttemptRecord[];
}

export function recordPath(paths: HomePaths, id: string): string {
  return path.join(paths.records, `${id}.json`);
}

export function stdoutPath(paths: HomePaths, id: string): string {
  return path.join(paths.output, `${id}.out`);
}

export function stderrPath(paths: HomePaths, id: string): string {
  return path.join(paths.output, `${id}.err`);
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
