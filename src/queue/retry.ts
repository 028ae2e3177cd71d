// `fjd retry`: putting failed jobs back in jobqueue/, all of them or by name, so that only the
// failed ones run again. A job keeps its id and its record, so its earlier attempts stay in
// view and it ends under the same name.
import path from 'node:path';
import {ensureHome} from '../home/layout.js';
import {listDir, moveNoClobber} from '../home/atomic.js';
import {isIgnoredName, MAX_JOB_NAME_BYTES} from '../home/names.js';
import {recordFor} from '../home/transitions.js';
import {writeRecord} from '../job/record.js';
import {noteRetried} from '../dispatcher/failure-log.js';

export interface RetryOptions {
  home: string;
  // Job ids or names to retry; empty with `all` for every failed job.
  jobs: string[];
  all: boolean;
  groupShared?: boolean;
}

export interface RetryResult {
  requeued: {id: string; as: string}[];
  // Asked-for names that are not in failed/.
  unknown: string[];
}

export function retryFailed(options: RetryOptions): RetryResult {
  const paths = ensureHome(options.home, {groupShared: options.groupShared === true});
  const result: RetryResult = {requeued: [], unknown: []};
  const failed = listDir(paths.failed).filter((name) => !isIgnoredName(name)).sort();
  const wanted = new Set(options.jobs);
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
  noteRetried(paths, result.requeued.map((r) => r.id));
  result.unknown = options.jobs.filter((name) => !matched.has(name));
  return result;
}
