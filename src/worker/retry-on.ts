// Whether a failed run may be retried by what it exited with: [control] retry_on (only these
// exit statuses) and no_retry_on (never these). A run killed by signal N exited with 128 + N, as
// a shell says; a run with no exit status (it timed out, or could not start) is retried only
// where retry_on does not restrict retries to statuses. Pure: the lane asks, and retries or not.
import os from 'node:os';
import type {JobControl} from '../job/control.js';
import {exitStatusOf} from '../job/exit-codes.js';
import type {Failure} from './reason.js';

// The exit status of a failed run, as a shell reports it; undefined for one that has none.
export function failureStatus(failure: Failure): number | undefined {
  if (failure.kind === 'exit') return exitStatusOf(failure.code, undefined);
  if (failure.kind === 'signal') {
    const signals: Record<string, number | undefined> = os.constants.signals;
    return exitStatusOf(null, signals[failure.signal]);
  }
  return undefined;
}

// Why the job's retry_on or no_retry_on keeps this failed run from being retried ("exit code
// 4 is not in retry_on"), or undefined when they allow it.
export function noRetryBecause(
  failure: Failure,
  control: Pick<JobControl, 'retryOn' | 'noRetryOn'>,
): string | undefined {
  const status = failureStatus(failure);
  if (status === undefined) {
    return control.retryOn === undefined ? undefined : `retry_on names exit codes, and this run has none`;
  }
  if (control.noRetryOn.includes(status)) return `exit code ${status} is in no_retry_on`;
  if (control.retryOn !== undefined && !control.retryOn.includes(status))
    return `exit code ${status} is not in retry_on`;
  return undefined;
}
