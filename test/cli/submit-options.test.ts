// `fjd submit` and `fjd run` set a job's [control] keys from options, each value checked as the
// worker reads it: a bad one is a usage error naming the option, and nothing is submitted.
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {parseJobFile} from '../../src/job/job-file.js';
import {makeHome} from '../helpers/home.js';

describe('fjd submit: the [control] options', () => {
  it('writes each into [control], as the job-file parser reads it back', async () => {
    const home = makeHome('submit-options');
    const result = await home.run('fjd', [
      'submit',
      '--exe',
      'python3 sim.py',
      '--name',
      'all',
      '--priority',
      '-3',
      '--group',
      'gpu',
      '--after',
      'prep-1,prep-2',
      '--after',
      'prep-3',
      '--after-any',
      'setup',
      '--timeout',
      '5m',
      '--retries',
      '2',
      '--retry-delay',
      '10s',
      '--retry-on',
      '137,143',
      '--never-retry-on',
      '2',
      '--cpus',
      '4',
      '--memory',
      '8G',
      '--gpus',
      '1',
    ]);
    expect(result).toEqual({exitCode: 0, stdout: 'all\n', stderr: ''});
    const text = home.read('jobqueue/all');
    expect(text).toContain('\npriority = -3\ngroup = gpu\nafter = prep-1, prep-2, prep-3\nafter_any = setup\n');
    const {control} = parseJobFile(fs.readFileSync(path.join(home.dir, 'jobqueue', 'all')));
    expect(control).toMatchObject({
      executable: 'python3 sim.py',
      priority: -3,
      group: 'gpu',
      after: ['prep-1', 'prep-2', 'prep-3'],
      afterAny: ['setup'],
      timeoutMs: 300_000,
      retries: 2,
      retryDelayMs: 10_000,
      retryOn: [137, 143],
      noRetryOn: [2],
      request: {cpus: 4, memoryBytes: 8 * 1024 ** 3, gpus: 1},
    });
  });

  it('writes them into every job of a bulk submit', async () => {
    const home = makeHome('submit-options-bulk');
    const result = await home.run('fjd', [
      'submit',
      '--exe',
      'gzip',
      '--parameters',
      'a,b',
      '--name',
      'gz',
      '--retries',
      '1',
    ]);
    expect(result.exitCode, result.stderr).toBe(0);
    for (const name of ['gz-1', 'gz-2']) {
      expect(parseJobFile(fs.readFileSync(path.join(home.dir, 'jobqueue', name))).control.retries).toBe(1);
    }
  });

  it.each([
    ['--priority', 'high', '--priority high is not a whole number (higher runs first)'],
    ['--timeout', '5x', '--timeout 5x is not a duration such as 90, 90s, 5m or 2h'],
    ['--retries', '-1', '--retries -1 is not a whole number of at least 0'],
    ['--retry-delay', 'soon', '--retry-delay soon is not a duration such as 90, 90s, 5m or 2h'],
    ['--retry-on', '0,137', '--retry-on 0,137 is not a list of exit codes from 1 to 255 ("0" is not one)'],
    ['--never-retry-on', '2,x', '--never-retry-on 2,x is not a list of exit codes from 1 to 255 ("x" is not one)'],
    ['--cpus', '0', '--cpus 0 is not a whole number of at least 1'],
    ['--memory', 'lots', '--memory lots is not a size such as 8G, 512M or 2T'],
    ['--gpus', 'two', '--gpus two is not a whole number of at least 0'],
  ])('refuses %s %s with exit status 2, naming it, and submits nothing', async (option, value, message) => {
    const home = makeHome('submit-options-bad');
    const result = await home.run('fjd', ['submit', '--exe', 'true', '--parameters', 'a,b', option, value]);
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')[0]).toBe(`fjd submit: error: ${message}`);
    expect(home.ls('jobqueue')).toEqual([]);
  });
});

describe('fjd run: the [control] options', () => {
  it('runs its jobs with them: retries only on the exit codes of --retry-on', async () => {
    const home = makeHome('run-options');
    // Exits 3 (retried), then 4 (not in --retry-on: not retried).
    const result = await home.run('fjd', [
      'run',
      '--exe',
      'echo "$FJD_ATTEMPT" >> attempts.txt; exit $((FJD_ATTEMPT + 2))',
      '--name',
      'r',
      '--retries',
      '5',
      '--retry-on',
      '3',
      '-j',
      '1',
    ]);
    expect(result.exitCode, result.stdout + result.stderr).toBe(1);
    expect(home.read('attempts.txt')).toBe('1\n2\n');
    expect(home.record('r')).toMatchObject({state: 'failed', reason: 'exit code 4'});
  });

  it('refuses a bad value with exit status 2 before it hires a worker', async () => {
    const home = makeHome('run-options-bad');
    const result = await home.run('fjd', ['run', '--exe', 'true', '--timeout', 'forever']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(
      'fjd run: error: --timeout forever is not a duration such as 90, 90s, 5m or 2h',
    );
    expect(home.ls('jobqueue')).toEqual([]);
    expect(home.ls('.fjd/workers')).toEqual([]);
  });
});
