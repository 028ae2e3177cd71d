// The path of one job in one slot, from the pod to done/, failed/ or back to jobqueue/: a
// cancel asked while it waited ends it before it runs; otherwise it is prepared (attempt.ts),
// run and retried as its [control] says (retries, and retry_on and no_retry_on: retry-on.ts),
// each attempt with its number in FJD_ATTEMPT, and recorded (recorder.ts). Many lanes run at once,
// one per job the worker has room for; each waits (a retry's delay, trouble) under its own id.
import path from 'node:path';
import {podDir} from '../home/paths.js';
import {writeRecord, type JobRecord} from '../home/record.js';
import {errnoCode} from '../errors.js';
import {isTransientFsError} from '../util/transient.js';
import {isFenced, tolerate, whyNow, type Lane, type WorkerCore} from './core.js';
import {closeAttempt, type Attempts, type Prepared} from './attempt.js';
import {attemptEnv} from './job-env.js';
import {unrunnable} from './reason.js';
import {noRetryBecause} from './retry-on.js';
import type {Recorder} from './recorder.js';
import type {Requests} from './requests.js';
import type {WorkerPresence} from './presence.js';

export interface LaneParts {
  core: WorkerCore;
  requests: Requests;
  recorder: Recorder;
  attempts: Attempts;
  presence: WorkerPresence;
}

export async function runLane(parts: LaneParts, lane: Lane, record: JobRecord): Promise<void> {
  const {core, requests, recorder, attempts} = parts;
  const {id} = lane;
  const jobFile = path.join(podDir(core.paths, core.id), id);
  requests.look();
  if (requests.has(id)) {
    // Cancelled while it waited in the pod: it never runs.
    await recorder.end(record, 'failed', {kind: 'cancelled'});
    requests.done(id);
    return;
  }
  let prepared: Prepared;
  try {
    prepared = attempts.prepare(jobFile, id, record, lane);
  } catch (error) {
    // The filesystem refuses for now (full, read-only), or the home is gone for a moment.
    if (isTransientFsError(errnoCode(error)) || !core.home.check()) {
      await recorder.notNow(id, error);
      return;
    }
    const failure = unrunnable(error);
    closeAttempt(attempts.begin(record), null, null, failure, 'failed');
    await recorder.end(record, 'failed', failure);
    return;
  }
  const {control} = prepared;
  parts.presence.trouble = undefined;
  for (let run = 0; ; run++) {
    const attempt = attempts.begin(record);
    const env = {...prepared.run.env, ...attemptEnv(attempt.attempt)};
    const outcome = await attempts.run(record, attempt, {...prepared, run: {...prepared.run, env}}, lane);
    if (outcome.kind === 'fenced' || isFenced(core)) return;
    if (outcome.kind === 'not-now') {
      await recorder.notNow(id, undefined);
      return;
    }
    if (outcome.kind === 'put-back') {
      await recorder.giveBack(record, {kind: 'interrupted', why: outcome.why});
      return;
    }
    if (outcome.kind === 'finished') {
      await recorder.end(record, 'finished', undefined);
      if (requests.has(id)) requests.done(id);
      return;
    }
    // A job that cannot run here (its working directory went away) is not tried again.
    const final = outcome.failure.kind === 'unrunnable';
    const notRetried = run < control.retries ? noRetryBecause(outcome.failure, control) : undefined;
    if (notRetried !== undefined) core.log(`${id}: ${attempt.reason ?? 'failed'}; not retried: ${notRetried}`);
    if (final || run >= control.retries || notRetried !== undefined || core.leaving !== undefined || requests.has(id)) {
      await recorder.end(record, 'failed', outcome.failure);
      if (requests.has(id)) requests.done(id);
      return;
    }
    const wait = control.retryDelayMs * 2 ** run;
    core.log(
      `${id}: ${attempt.reason ?? 'failed'}; retry ${run + 1} of ${control.retries}${wait > 0 ? ` in ${wait} ms` : ''}`,
    );
    tolerate(core, `update the record of ${id}`, () => writeRecord(core.paths, record));
    await recorder.pause(wait, id);
    if (isFenced(core)) return;
    requests.look();
    if (requests.has(id)) {
      await recorder.end(record, 'failed', {kind: 'cancelled'});
      requests.done(id);
      return;
    }
    const why = whyNow(core);
    if (why !== undefined) {
      await recorder.giveBack(record, {kind: 'interrupted', why});
      return;
    }
  }
}
