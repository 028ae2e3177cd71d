// Why an attempt failed or a job went back to jobqueue/, as a value, and the one formatter of
// the text that records carry in `reason` (a protocol: users, `fjd status` and `fjd cancel`
// read it). failureOf decides from how the run ended; nothing here does any I/O.
import {FjdError, describeError, type FjdErrorCode} from '../errors.js';
import {CANCELLED} from '../home/cancel-requests.js';
import type {RunResult} from '../run/run-job.js';
import {formatDuration} from '../util/duration.js';

// How an attempt failed.
export type Failure =
  // The command could not be started (ENOENT, EACCES … from spawn).
  | {kind: 'spawn'; detail: string}
  // The job file, or something it names, makes it impossible to run (no such working directory).
  | {kind: 'unrunnable'; code: FjdErrorCode; detail: string}
  | {kind: 'cancelled'}
  | {kind: 'timeout'; afterMs: number}
  // How it ended is not known (its job starter ended while it ran).
  | {kind: 'lost'; detail: string}
  | {kind: 'signal'; signal: string}
  | {kind: 'exit'; code: number | null};

// Why a job went back to jobqueue/ (`why`: what the worker was told, "received SIGTERM").
export type PutBack =
  // The attempt that was running when the worker was told to stop now.
  | {kind: 'stopped'; why: string}
  // The job itself, put back when that happened.
  | {kind: 'interrupted'; why: string}
  // Waiting in the pod when the worker left.
  | {kind: 'not-started'; why: string}
  // Waiting in the pod behind a long job.
  | {kind: 'given-back'};

export type Reason = Failure | PutBack;

// What a run did, besides its result: whether the worker stopped it, and why.
export interface RunFlags {
  readonly cancelled: boolean;
  readonly timedOut: boolean;
  readonly timeoutMs: number | undefined;
}

// Why a run that has ended failed, or undefined when it succeeded (exit code 0). A run that
// could not start, was cancelled or timed out says so whatever its exit status; then a signal
// that killed it; then its exit code.
export function failureOf(result: RunResult, flags: RunFlags): Failure | undefined {
  if (result.spawnError !== null) return {kind: 'spawn', detail: result.spawnError};
  if (flags.cancelled) return {kind: 'cancelled'};
  if (flags.timedOut) return {kind: 'timeout', afterMs: flags.timeoutMs ?? 0};
  if (result.lost !== undefined) return {kind: 'lost', detail: result.lost};
  if (result.signal !== null) return {kind: 'signal', signal: result.signal};
  if (result.exitCode === 0) return undefined;
  return {kind: 'exit', code: result.exitCode};
}

// Why a job could not be prepared to run: what fjd found (an FjdError says it), or the error
// that kept it from starting.
export function unrunnable(error: unknown): Failure {
  if (error instanceof FjdError) return {kind: 'unrunnable', code: error.code, detail: error.message};
  return {kind: 'spawn', detail: describeError(error)};
}

// The text of a reason, as records carry it.
export function reasonText(reason: Reason): string {
  switch (reason.kind) {
    case 'spawn':
      return `could not start: ${reason.detail}`;
    case 'unrunnable':
      return reason.detail;
    case 'cancelled':
      return CANCELLED;
    case 'timeout':
      return `timeout after ${formatDuration(reason.afterMs)}`;
    case 'signal':
      return `killed by signal ${reason.signal}`;
    case 'lost':
      return reason.detail;
    case 'exit':
      return `exit code ${String(reason.code)}`;
    case 'stopped':
      return `worker ${reason.why}`;
    case 'interrupted':
      return `interrupted: worker ${reason.why}`;
    case 'not-started':
      return `worker ${reason.why} before the job started`;
    case 'given-back':
      return 'given back: its worker is busy with a long job';
  }
}
