// Why an attempt failed, from how its run ended (failureOf), and the text records carry for
// every reason a worker writes (reasonText): the texts users, `fjd status` and `fjd cancel` read.
import {describe, expect, it} from 'vitest';
import {FjdError} from '../../src/errors.js';
import type {RunResult} from '../../src/run/run-job.js';
import {failureOf, reasonText, unrunnable, type RunFlags} from '../../src/worker/reason.js';

const ran = (result: Partial<RunResult>): RunResult => ({exitCode: null, signal: null, spawnError: null, ...result});
const left: RunFlags = {cancelled: false, timedOut: false, timeoutMs: undefined};
const text = (result: Partial<RunResult>, flags: Partial<RunFlags> = {}): string | null => {
  const failure = failureOf(ran(result), {...left, ...flags});
  return failure === undefined ? null : reasonText(failure);
};

describe('failureOf', () => {
  it('exit code 0 is no failure; any other code is', () => {
    expect(failureOf(ran({exitCode: 0}), left)).toBeUndefined();
    expect(failureOf(ran({exitCode: 3}), left)).toEqual({kind: 'exit', code: 3});
    expect(text({exitCode: 1})).toBe('exit code 1');
  });

  it('a signal that killed the job is the reason, whatever the exit status', () => {
    expect(failureOf(ran({signal: 'SIGSEGV'}), left)).toEqual({kind: 'signal', signal: 'SIGSEGV'});
    expect(text({signal: 'SIGTERM'})).toBe('killed by signal SIGTERM');
  });

  it('a job stopped at its timeout failed of the timeout, not of the signal that stopped it', () => {
    expect(failureOf(ran({signal: 'SIGTERM'}), {...left, timedOut: true, timeoutMs: 1500})).toEqual({
      kind: 'timeout',
      afterMs: 1500,
    });
    expect(text({signal: 'SIGKILL'}, {timedOut: true, timeoutMs: 300_000})).toBe('timeout after 5m');
    expect(text({exitCode: 0}, {timedOut: true, timeoutMs: 1500})).toBe('timeout after 1.5s');
  });

  it('a cancelled job was cancelled, even if it also ran out of time or exited 0 as it was stopped', () => {
    expect(text({signal: 'SIGTERM'}, {cancelled: true, timedOut: true, timeoutMs: 1000})).toBe('cancelled');
    expect(text({exitCode: 0}, {cancelled: true})).toBe('cancelled');
  });

  it('a command that could not start says why, before anything else', () => {
    const result = {spawnError: 'spawn /nowhere ENOENT', exitCode: -2};
    expect(failureOf(ran(result), {...left, cancelled: true, timedOut: true, timeoutMs: 1})).toEqual({
      kind: 'spawn',
      detail: 'spawn /nowhere ENOENT',
    });
    expect(text(result)).toBe('could not start: spawn /nowhere ENOENT');
  });
});

describe('unrunnable', () => {
  it('a job file fjd cannot run fails with what fjd found, and keeps its code', () => {
    const error = new FjdError('WORKDIR_MISSING', 'working directory /gone does not exist', {path: '/gone'});
    expect(unrunnable(error)).toEqual({
      kind: 'unrunnable',
      code: 'WORKDIR_MISSING',
      detail: 'working directory /gone does not exist',
    });
    expect(reasonText(unrunnable(error))).toBe('working directory /gone does not exist');
  });

  it('any other error kept it from starting', () => {
    expect(reasonText(unrunnable(new Error('EMFILE: too many open files')))).toBe(
      'could not start: EMFILE: too many open files',
    );
  });
});

describe('reasonText of a job put back', () => {
  it('says what the worker was told, for the attempt, the job, a job that had not started, and one given back', () => {
    expect(reasonText({kind: 'stopped', why: 'received SIGTERM'})).toBe('worker received SIGTERM');
    expect(reasonText({kind: 'interrupted', why: 'fired with --now'})).toBe('interrupted: worker fired with --now');
    expect(reasonText({kind: 'not-started', why: 'fired'})).toBe('worker fired before the job started');
    expect(reasonText({kind: 'given-back'})).toBe('given back: its worker is busy with a long job');
  });
});
