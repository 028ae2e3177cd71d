// The assigner: hands one job to one worker (home/transitions.ts: the record reserved, the
// file renamed into the worker's pod), and pauses the handing out when the filesystem refuses
// (full, read-only, permissions changed for a moment: ENOSPC, EROFS, EACCES …) or the home is
// gone, saying so once per episode and trying again every retryIoMs. Each job handed out gets
// an assignment time later than the last, so that a worker given two jobs in the same clock
// tick runs them in the order they were handed out.
import type {HomePaths} from '../home/layout.js';
import {idNumber} from '../home/names.js';
import {assignJob, PodClosedError, type Assignment} from '../home/transitions.js';
import {dropPriorityOverride} from '../home/priority.js';
import type {JobMeta} from '../home/job-meta.js';
import {isDefaultRequest, type Request} from '../job/resources.js';
import {errnoCode} from '../errors.js';
import {formatDuration} from '../util/duration.js';
import type {OneShot, Timers} from '../util/timers.js';
import {isRetryableMoveError} from '../util/transient.js';

// The job was handed out; or it was taken back by its owner before it could be (the worker is
// still free); or the worker is leaving (its pod closed); or the filesystem refused, and
// handing out is paused.
export type AssignResult = Assignment | 'taken-back' | 'pod-closed' | 'refused';

export interface AssignerEffects {
  run(action: () => void): void;
  // The pause is over: hand out again.
  resumed(): void;
  warn(message: string): void;
  // Whether the home is there (looked at again), and whether it was last seen gone.
  homeThere(): boolean;
  homeGone(): boolean;
  // Which jobs may have a priority override to remove once handed out.
  priorityNames: {has(name: string): boolean; dropped(name: string): void};
}

export class Assigner {
  // The number the next job of a name starts from (stem~N), once one was numbered.
  private readonly nextNumber = new Map<string, number>();
  private lastAssignedMs = 0;
  private pausedUntil = 0;
  private ioTrouble = false;
  private readonly resume: OneShot;

  constructor(
    private readonly paths: HomePaths,
    private readonly host: string,
    private readonly retryIoMs: number,
    private readonly effects: AssignerEffects,
    timers: Timers,
  ) {
    this.resume = timers.oneShot(() => effects.run(() => effects.resumed()));
  }

  get paused(): boolean {
    return performance.now() < this.pausedUntil;
  }

  // Stops handing out for a while after the filesystem refused; says so once per episode.
  pause(why: string): void {
    this.pausedUntil = performance.now() + this.retryIoMs;
    if (!this.ioTrouble) this.effects.warn(`${why}; trying again every ${formatDuration(this.retryIoMs)}`);
    this.ioTrouble = true;
    this.resume.soon(this.retryIoMs);
  }

  // Hands the job to the worker; its record says what it asks for (`request`; null: the default).
  assign(meta: JobMeta, workerId: string, workerHost: string | undefined, request: Request): AssignResult {
    const {name} = meta;
    let assignment;
    try {
      this.lastAssignedMs = Math.max(Date.now(), this.lastAssignedMs + 1);
      const at = new Date(this.lastAssignedMs).toISOString();
      assignment = assignJob(
        this.paths,
        name,
        workerId,
        workerHost ?? this.host,
        this.nextNumber.get(name) ?? 1,
        at,
        meta.submittedMs,
        isDefaultRequest(request) ? null : request,
      );
    } catch (error) {
      if (isRetryableMoveError(errnoCode(error)) || !this.effects.homeThere()) {
        if (!this.effects.homeGone())
          this.pause(`cannot assign ${name}: ${errnoCode(error) ?? ''} in ${this.paths.root}`);
        return 'refused';
      }
      if (error instanceof PodClosedError) return 'pod-closed';
      throw error;
    }
    if (assignment === undefined) return 'taken-back';
    if (this.ioTrouble) {
      this.ioTrouble = false;
      this.effects.warn('the home takes writes again; dispatching goes on');
    }
    const number = idNumber(name, assignment.id);
    if (number > 1) this.nextNumber.set(name, number + 1);
    if (this.effects.priorityNames.has(name)) {
      dropPriorityOverride(this.paths, name);
      this.effects.priorityNames.dropped(name);
    }
    return assignment;
  }
}
