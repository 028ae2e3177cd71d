// The environment a job runs in: the worker's, the job file's [env] over it, and fjd's own
// variables over both, FJD_ATTEMPT among them; run as a user runs jobs.
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {makeHome} from '../helpers/home.js';

const PRINT = 'echo "$FJD_ATTEMPT $FROM_WORKER $BOTH ${Mixed_Case-unset} $FJD_JOB_ID $OMP_NUM_THREADS"';

describe("the job's environment", () => {
  it('is the worker’s with [env] over it, fjd’s own variables over both, and FJD_ATTEMPT counting its runs', async () => {
    const home = makeHome('env-section');
    home.job(
      'with-env',
      `[control]\nexecutable = ${PRINT} >> with-env.txt; [ "$FJD_ATTEMPT" -ge 3 ]\npass_job_file = no\nretries = 4\n` +
        `[env]\nBOTH = job\nMixed_Case = %(both)s-x\nFJD_JOB_ID = not-its-own\nOMP_NUM_THREADS = 3\n`,
    );
    home.job('without', `[control]\nexecutable = ${PRINT} >> without.txt\npass_job_file = no\n`);
    await home.run('fjd', ['hire', '1'], {env: {FROM_WORKER: 'w', BOTH: 'worker', OMP_NUM_THREADS: ''}});
    const result = await home.run('fjd', ['dispatch', '--fire-when-done']);
    expect(result.exitCode, result.stdout).toBe(0);
    // Three runs, numbered; [env] keeps the case of its names and interpolates; FJD_JOB_ID is fjd's.
    expect(home.read('with-env.txt')).toBe(
      '1 w job job-x with-env 3\n2 w job job-x with-env 3\n3 w job job-x with-env 3\n',
    );
    // With no [env], the worker's environment as it is (OMP_NUM_THREADS: its cpus, as always).
    expect(home.read('without.txt')).toBe('1 w worker unset without 1\n');
  });

  it('looks its program up on the PATH of its [env], and runs it with that PATH', async () => {
    const home = makeHome('env-section-path');
    const bin = path.join(home.dir, 'own-bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'own-program'), '#!/bin/sh\necho "ran with $PATH" > ran.txt\n', {mode: 0o755});
    home.job('own', `[control]\nexecutable = own-program\npass_job_file = no\n[env]\nPATH = ${bin}:/usr/bin:/bin\n`);
    await home.run('fjd', ['hire', '1']);
    const result = await home.run('fjd', ['dispatch', '--fire-when-done']);
    expect(result.exitCode, result.stdout).toBe(0);
    expect(home.read('ran.txt')).toBe(`ran with ${bin}:/usr/bin:/bin\n`);
  });

  it('fails a job whose [env] names no environment variable, with the reason', async () => {
    const home = makeHome('env-section-bad');
    home.job('bad-name', '[control]\nexecutable = touch ran.txt\npass_job_file = no\n[env]\nmy-var = 1\n');
    await home.run('fjd', ['hire', '1']);
    const result = await home.run('fjd', ['dispatch', '--fire-when-done']);
    expect(result.exitCode).toBe(1);
    expect(home.ls('failed')).toEqual(['bad-name']);
    expect(home.record('bad-name').reason).toBe('[env] my-var is not an environment variable name');
    expect(home.ls('.')).not.toContain('ran.txt');
  });
});
