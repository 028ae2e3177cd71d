// `fjd retry`: putting failed jobs back in jobqueue/, all of them or by name, so that only the
// failed ones run again. A job keeps its id and its record, so its earlier attempts stay in
// view and it ends under the same name.
import path from 'node:path';
import {FjdError} from '../errors.js';
import {ensureHome, type HomePaths} from '../home/layout.js';
import {listDir, moveNoClobber} from '../home/atomic.js';
import {isIgnoredName, MAX_JOB_NAME_BYTES} from '../home/names.js';
import {recordFor} from '../home/transitions.js';
import {writeRecord} from '../home/record.js';
import {noteRetried} from '../home/failure-log.js';
import {findJob, jobNotFound} from '../home/find-job.js';

export interface RetryOptions {
  home: string;
  // Job ids or names to retry; empty with `all` for every failed job.
  jobs: string[];
  all: boolean;
  groupShared?: boolean;
}

export interface RetryResult {
  requeued: {id: string; as: string}[];
  // Why each asked-for job that is not in failed/ was not retried: JOB_NOT_FOUND when it is
  // nowhere, JOB_WRONG_STATE when it is open, running or finished.
  refused: FjdError[];
}

// The id of the failed job a path such as failed/x names, else the path itself (which then
// matches nothing, and is refused with the state it names).
function failedId(paths: HomePaths, ref: string): string {
  const job = findJob(paths, ref);
  return job?.state === 'failed' && job.id !== null ? job.id : ref;
}

// Why `ref` names no failed job.
function refusal(paths: HomePaths, ref: string): FjdError {
  const job = findJob(paths, ref);
  if (job === undefined) return jobNotFound(paths, ref);
  const hint =
    job.state === 'finished'
      ? `To run it again, queue its file again: cp ${job.file} jobqueue/`
      : `It has not ended yet; fjd status ${ref} shows where it is.`;
  const what = ref.includes('/') ? job.name : ref;
  return new FjdError(
    'JOB_WRONG_STATE',
    `${what} is ${job.state} (${job.file}), not failed: only a job in failed/ can be retried`,
    {path: job.path, hint},
  );
}

export function retryFailed(options: RetryOptions): RetryResult {
  const paths = ensureHome(options.home, {groupShared: options.groupShared === true});
  const result: RetryResult = {requeued: [], refused: []};
  const failed = listDir(paths.failed)
    .filter((name) => !isIgnoredName(name))
    .sort();
  // A path such as failed/x names the failed job of that id.
  const idOf = new Map(options.jobs.map((ref) => [ref, ref.includes('/') ? failedId(paths, ref) : ref]));
  const wanted = new Set(idOf.values());
  const matched = new Set<string>();
  for (const id of failed) {
    const record = recordFor(paths, id);
    const hit = [id, record.name].find((name) => wanted.has(name));
    if (!options.all && hit === undefined) continue;
    if (hit !== undefined) matched.add(hit);
    Object.assign(record, {state: 'requeued', reason: 'retry requested', requeuedAs: record.name});
    writeRecord(paths, record);
    const got = moveNoClobber(path.join(paths.failed, id), paths.jobqueue, record.name, 1, MAX_JOB_NAME_BYTES);
    if (got !== record.name) {
      record.requeuedAs = got;
      writeRecord(paths, record);
    }
    result.requeued.push({id, as: got});
  }
  noteRetried(
    paths,
    result.requeued.map((r) => r.id),
  );
  result.refused = options.jobs.filter((ref) => !matched.has(idOf.get(ref) ?? ref)).map((ref) => refusal(paths, ref));
  return result;
}
