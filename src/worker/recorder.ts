// The worker's recorder: every move of a job out of the pod, with its record. It ends a job in
// done/ or failed/, puts one back in jobqueue/ (told to stop now, or left in the pod when the
// worker leaves), gives back the jobs waiting behind a long one, and persists each of these through trouble:
// while the filesystem refuses (full, read-only, permissions changed for a moment, a home away
// for a moment) the job stays in the pod, the heartbeat tells the trouble, and the worker
// tries again after a pause. A fenced worker records nothing: its pod belongs to the recovery.
import fs from 'node:fs';
import {describeError, errnoCode} from '../errors.js';
import {listDir} from '../home/atomic.js';
import {isHomeProblem} from '../home/directories.js';
import {closedPodDir, endedFile, podDir, workerDir} from '../home/paths.js';
import type {JobRecord} from '../home/record.js';
import {FencedError, leavePod, recordFor} from '../home/transitions.js';
import {crashPoint} from '../util/crash-point.js';
import {formatDuration} from '../util/duration.js';
import {isRetryableMoveError} from '../util/transient.js';
import {isFenced, whyNow, type WorkerCore} from './core.js';
import type {WorkerPresence} from './presence.js';
import {reasonText, type Failure, type PutBack} from './reason.js';

export class Recorder {
  constructor(
    private readonly core: WorkerCore,
    private readonly presence: WorkerPresence,
    // Told of every job this worker has moved out of its pod.
    private readonly leftPod: (id: string) => void,
  ) {}

  // Records the outcome and moves the job file to done/ or failed/; the job stays in the pod
  // until that is done.
  async end(record: JobRecord, outcome: 'finished' | 'failed', failure: Failure | undefined): Promise<void> {
    const {core} = this;
    const last = record.attempts.at(-1);
    const reason = failure === undefined ? null : reasonText(failure);
    Object.assign(record, {
      state: outcome,
      endedAt: last?.endedAt ?? new Date().toISOString(),
      durationMs: last?.durationMs ?? null,
      exitCode: last?.exitCode ?? null,
      signal: last?.signal ?? null,
      reason,
      file: endedFile(outcome, record.id),
    });
    await this.persist(`recording the outcome of ${record.id}`, record.id, () => {
      core.guard.assertSafe();
      const got = leavePod(core.paths, podDir(core.paths, core.id), record);
      this.leftPod(record.id);
      return got;
    });
    if (outcome === 'finished') core.summary.finished++;
    else core.summary.failed++;
    core.log(`${record.id}: ${outcome}${reason === null ? '' : ` (${reason})`} in ${String(record.durationMs)} ms`);
  }

  // Moves a job from `pod` back to jobqueue/ with the reason in its record, which keeps its id
  // and attempts for the next run. Returns the name it got there.
  putBack(pod: string, record: JobRecord, reason: PutBack): string {
    this.core.guard.assertSafe();
    Object.assign(record, {state: 'requeued', reason: reasonText(reason), requeuedAs: null});
    const got = leavePod(this.core.paths, pod, record);
    this.leftPod(record.id);
    return got;
  }

  // Puts a job back in jobqueue/, through trouble, unless it must stay in the pod.
  async giveBack(record: JobRecord, reason: PutBack): Promise<void> {
    const {core} = this;
    if (whyNow(core) !== undefined && core.guard.unsafe()) {
      // Told to stop now on a home that is unsafe: the job stays in the pod, for the recovery.
      core.log(
        `${record.id}: left in the pod (the home is unsafe); a dispatcher puts it back once the home is safe again`,
      );
      return;
    }
    const pod = podDir(core.paths, core.id);
    const got = await this.persist(`putting ${record.id} back`, record.id, () => this.putBack(pod, record, reason));
    core.summary.requeued++;
    core.log(`${record.id}: back in jobqueue/ as ${got} (${reasonText(reason)})`);
  }

  // Closes the pod as the worker leaves (told `why`). It is renamed away first, so that a
  // dispatcher that assigns a job at this very moment either got it in before (and it is put
  // back into jobqueue/ here) or fails to (and keeps it); a job is never removed with the
  // directory, which goes once the closed pod is empty.
  closePod(why: string): void {
    const {core} = this;
    const closed = closedPodDir(core.paths, core.id);
    fs.renameSync(podDir(core.paths, core.id), closed);
    crashPoint('exit:closed');
    for (const id of listDir(closed).sort()) {
      if (id.startsWith('.')) continue;
      const got = this.putBack(closed, recordFor(core.paths, id), {kind: 'not-started', why});
      core.summary.requeued++;
      core.log(`${id}: back in jobqueue/ as ${got} (worker ${why} before it started)`);
    }
    if (listDir(closed).length === 0) fs.rmSync(workerDir(core.paths, core.id), {recursive: true, force: true});
  }

  // Gives jobs `ids`, waiting in the pod for room, back to jobqueue/, so that a worker with
  // room elsewhere can take them (this one is busy with long jobs, or leaving); one that cannot
  // go now stays and runs here when there is room.
  giveBackWaiting(ids: readonly string[], reason: PutBack): void {
    const {core} = this;
    if (isFenced(core) || core.state.name === 'stopped' || core.guard.unsafe()) return;
    const pod = podDir(core.paths, core.id);
    for (const id of ids) {
      if (core.lanes.has(id)) continue;
      try {
        const got = this.putBack(pod, recordFor(core.paths, id), reason);
        core.log(`${id}: given back to jobqueue/ as ${got} (${reasonText(reason)})`);
      } catch (error) {
        if (errnoCode(error) === 'ENOENT') continue;
        // It stays here and runs when there is room; nothing is lost.
        core.log(`${id}: could not give it back (${errnoCode(error) ?? describeError(error)}); it runs here later`);
      }
    }
  }

  // The job stays in the pod, to be started after a pause: the home refuses for now, or is
  // gone for a moment (`error` undefined).
  async notNow(id: string, error: unknown): Promise<void> {
    const {core, presence} = this;
    const code = errnoCode(error);
    if (!core.home.gone && presence.trouble !== code) {
      presence.trouble = code;
      core.log(
        `${id}: cannot start it now (${error === undefined ? 'the home is gone' : describeError(error)}); trying again every ${formatDuration(core.retryIoMs)}`,
      );
    }
    await this.pause(core.retryIoMs, id);
  }

  // Waits, but returns early when the worker is fenced or told to stop now, or when job `id`
  // is asked to be cancelled.
  pause(ms: number, id: string): Promise<void> {
    return this.core.pause.wait(ms, id);
  }

  // Runs `action` until it succeeds, waiting out what the filesystem refuses for now; throws
  // what cannot be waited out, and FencedError when the worker was fenced meanwhile.
  private async persist<T>(what: string, id: string, action: () => T): Promise<T> {
    const {core, presence} = this;
    // One more try for a file found missing while the home is there: it may have been away.
    let spare = true;
    for (let tries = 1; ; tries++) {
      try {
        const done = action();
        if (tries > 1) {
          if (core.home.gone) core.home.check();
          presence.trouble = undefined;
          core.log(`${what} succeeded after ${tries} tries`);
        }
        return done;
      } catch (error) {
        const code = errnoCode(error);
        if (error instanceof FencedError || isFenced(core)) throw error;
        // A home whose directories are unsafe now is waited out like a full disk (the guard
        // has said why). Something missing: the home may be gone for a moment (then it waits
        // for it), or have come back since it failed (then once more is enough).
        const unsafe = isHomeProblem(error);
        const homeGone = code === 'ENOENT' && !core.home.check();
        if (!unsafe && !isRetryableMoveError(code) && !homeGone && (code !== 'ENOENT' || !spare)) throw error;
        spare = homeGone || code !== 'ENOENT';
        if (tries === 1 && !homeGone) {
          presence.trouble = code;
          presence.heartbeat();
          core.log(
            `${what} failed (${unsafe ? (code ?? '') : describeError(error)}); the job stays in the pod, trying again every ${formatDuration(core.retryIoMs)}`,
          );
        }
        await this.pause(core.retryIoMs, id);
      }
    }
  }
}
