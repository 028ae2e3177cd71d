// What a worker is asked through files in its own directory, .fjd/workers/W/: to leave (`fire`,
// written by `recruiter fire`, saying now or drain) and to stop a job of its pod (`cancel.ID`,
// written by `fjd cancel`). A cancel request for the job that runs stops it (TERM to its group,
// KILL after the grace time); one for a job waiting in the pod, or for a retry's delay, ends it
// before it runs again. A request is removed once its job has ended or left the pod, so that
// `fjd cancel` sees the job where it is now. Requests written on other hosts raise no event
// here: the worker looks on its ticks while busy.
import type {HomePaths} from '../home/layout.js';
import {listDir, unlinkIfPresent} from '../home/atomic.js';
import {WORKER_CANCEL_PREFIX, workerCancelIdOf, workerCancelPath, workerDir} from '../home/paths.js';
import {readFireRequest, type FireMode} from '../home/registry.js';
import type {Run, WorkerCore} from './core.js';

export class Requests {
  private readonly paths: HomePaths;
  // The jobs `fjd cancel` asked this worker to stop, as of the last look.
  private readonly cancels = new Set<string>();
  // Whether to look for new cancel requests at the next chance.
  private lookAgain = true;

  constructor(private readonly core: WorkerCore) {
    this.paths = core.paths;
  }

  // Whether a change of `name` in the worker's directory (undefined: some name) may be a
  // cancel request; the heartbeat and notes that change there all the time are no news (a
  // fire request is the worker's to notice).
  noticed(name: string | undefined): boolean {
    const cancel = name === undefined || name.startsWith(WORKER_CANCEL_PREFIX);
    if (cancel) this.lookAgain = true;
    return cancel;
  }

  // Looks for cancel requests at the next chance (a tick while a job runs).
  lookSoon(): void {
    this.lookAgain = true;
  }

  // Whether, and how, the worker is fired.
  fire(): FireMode | undefined {
    return readFireRequest(this.paths, this.core.id);
  }

  // Notes new cancel requests, if there may be any, and carries them out for the running jobs.
  look(): void {
    if (!this.lookAgain) return;
    this.lookAgain = false;
    for (const name of listDir(workerDir(this.paths, this.core.id))) {
      const id = workerCancelIdOf(name);
      if (id === undefined || this.cancels.has(id)) continue;
      this.cancels.add(id);
      // A job waiting to be retried is cancelled at once, not after its delay.
      this.core.pause.cutShort(id);
      const run = this.core.lanes.get(id)?.run;
      if (run !== undefined && !run.cancelled) {
        run.cancelled = true;
        this.core.log(`${run.id}: cancelled; stopping it`);
        run.job.stop(this.core.graceMs);
      }
    }
  }

  // Stops a run whose job was asked to be cancelled before it started.
  stopIfCancelled(run: Run): void {
    if (run.cancelled || !this.cancels.has(run.id)) return;
    run.cancelled = true;
    this.core.log(`${run.id}: cancelled; stopping it`);
    run.job.stop(this.core.graceMs);
  }

  has(id: string): boolean {
    return this.cancels.has(id);
  }

  get any(): boolean {
    return this.cancels.size > 0;
  }

  // The cancel request of `id` is done with: its job has ended, or is no longer in this pod.
  done(id: string): void {
    this.cancels.delete(id);
    unlinkIfPresent(workerCancelPath(this.paths, this.core.id, id));
  }

  // Requests for jobs that are not in `pending` (ended, given back) are void: removed.
  dropStale(pending: readonly string[]): void {
    this.look();
    for (const id of [...this.cancels]) if (!pending.includes(id)) this.done(id);
  }
}
