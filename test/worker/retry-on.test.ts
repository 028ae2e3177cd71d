// [control] retry_on and no_retry_on: which failed runs a worker tries again, by exit status
// (a signal N as 128 + N), run as a user runs jobs; and the decision itself, without processes.
import {describe, expect, it} from 'vitest';
import {noRetryBecause} from '../../src/worker/retry-on.js';
import {makeHome} from '../helpers/home.js';

// A job that notes each attempt's FJD_ATTEMPT in NAME.txt and then runs `then`.
const job = (name: string, control: string, then: string): string =>
  `[control]\nexecutable = echo "$FJD_ATTEMPT" >> ${name}.txt; ${then}\npass_job_file = no\n${control}\n`;

type Attempt = {attempt: number; exitCode: number | null; signal: string | null; outcome: string};

describe('[control] retry_on and no_retry_on', () => {
  it('retries only the exit codes of retry_on, never those of no_retry_on, and a signal N as 128 + N', async () => {
    const home = makeHome('retry-on');
    // Exits 3 on its first attempt (retried), 4 on its second (not in retry_on: not retried).
    home.job('only-3', job('only-3', 'retries = 5\nretry_on = 3', 'exit $((FJD_ATTEMPT + 2))'));
    // Exits 2 (never retried) although it has retries; the same job without no_retry_on is.
    home.job('never-2', job('never-2', 'retries = 2\nno_retry_on = 2, 9', 'exit 2'));
    home.job('plain-2', job('plain-2', 'retries = 2', 'exit 2'));
    // Killed by SIGKILL on its first attempt (137), then finishes.
    home.job('killed', job('killed', 'retries = 3\nretry_on = 137, 143', '[ "$FJD_ATTEMPT" -ge 2 ] || kill -9 $$'));
    await home.run('fjd', ['hire', '1']);
    const result = await home.run('fjd', ['dispatch', '--fire-when-done']);
    expect(result.exitCode, result.stdout).toBe(1);
    expect(home.ls('failed')).toEqual(['never-2', 'only-3', 'plain-2']);
    expect(home.ls('done')).toEqual(['killed']);

    const attempts = (id: string) =>
      (home.record(id).attempts as Attempt[]).map(({attempt, exitCode, signal, outcome}) => ({
        attempt,
        exitCode,
        signal,
        outcome,
      }));
    expect(home.read('only-3.txt')).toBe('1\n2\n');
    expect(home.record('only-3')).toMatchObject({state: 'failed', reason: 'exit code 4'});
    expect(attempts('only-3')).toEqual([
      {attempt: 1, exitCode: 3, signal: null, outcome: 'failed'},
      {attempt: 2, exitCode: 4, signal: null, outcome: 'failed'},
    ]);
    expect(home.read('never-2.txt')).toBe('1\n');
    expect(attempts('never-2')).toHaveLength(1);
    expect(home.read('plain-2.txt')).toBe('1\n2\n3\n');
    expect(home.read('killed.txt')).toBe('1\n2\n');
    expect(attempts('killed')).toEqual([
      {attempt: 1, exitCode: null, signal: 'SIGKILL', outcome: 'failed'},
      {attempt: 2, exitCode: 0, signal: null, outcome: 'finished'},
    ]);
    // The worker's log says why it did not retry.
    const logs = home
      .ls('.fjd/logs')
      .map((file) => home.read(`.fjd/logs/${file}`))
      .join('');
    expect(logs).toContain('only-3: exit code 4; not retried: exit code 4 is not in retry_on');
    expect(logs).toContain('never-2: exit code 2; not retried: exit code 2 is in no_retry_on');
  });

  it('fails a job whose retry_on or no_retry_on is not a list of exit codes, with the reason', async () => {
    const home = makeHome('retry-on-bad');
    home.job('word', job('word', 'retries = 1\nretry_on = 137, often', 'true'));
    home.job('zero', job('zero', 'no_retry_on = 0', 'true'));
    home.job('both', job('both', 'retry_on = 3, 4\nno_retry_on = 4', 'true'));
    await home.run('fjd', ['hire', '1']);
    const result = await home.run('fjd', ['dispatch', '--fire-when-done']);
    expect(result.exitCode).toBe(1);
    expect(home.ls('failed')).toEqual(['both', 'word', 'zero']);
    expect(home.record('word').reason).toBe(
      '[control] retry_on = 137, often is not a list of exit codes from 1 to 255 ("often" is not one)',
    );
    expect(home.record('zero').reason).toBe(
      '[control] no_retry_on = 0 is not a list of exit codes from 1 to 255 ("0" is not one)',
    );
    expect(home.record('both').reason).toBe(
      '[control] retry_on = 3, 4 and [control] no_retry_on = 4 both name exit code 4',
    );
    expect(home.ls('.').filter((name) => name.endsWith('.txt'))).toEqual([]);
  });
});

describe('noRetryBecause', () => {
  const any = {retryOn: undefined, noRetryOn: []};
  it('lets every failure be retried when neither list is given', () => {
    expect(noRetryBecause({kind: 'exit', code: 1}, any)).toBeUndefined();
    expect(noRetryBecause({kind: 'timeout', afterMs: 1000}, any)).toBeUndefined();
    expect(noRetryBecause({kind: 'spawn', detail: 'ENOENT'}, any)).toBeUndefined();
  });

  it('reads a signal as 128 + its number, and retries no run without an exit status under retry_on', () => {
    const only = {retryOn: [143], noRetryOn: []};
    expect(noRetryBecause({kind: 'signal', signal: 'SIGTERM'}, only)).toBeUndefined();
    expect(noRetryBecause({kind: 'signal', signal: 'SIGKILL'}, only)).toBe('exit code 137 is not in retry_on');
    expect(noRetryBecause({kind: 'timeout', afterMs: 1000}, only)).toBe(
      'retry_on names exit codes, and this run has none',
    );
    expect(noRetryBecause({kind: 'signal', signal: 'SIGKILL'}, {retryOn: undefined, noRetryOn: [137]})).toBe(
      'exit code 137 is in no_retry_on',
    );
    expect(noRetryBecause({kind: 'timeout', afterMs: 1000}, {retryOn: undefined, noRetryOn: [143]})).toBeUndefined();
  });
});
