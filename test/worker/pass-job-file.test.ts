import {describe, expect, it} from 'vitest';
import {makeHome} from '../helpers/home.js';

describe('[control] pass_job_file', () => {
  it('with no, runs the line without the job file, which the job still finds in $FJD_JOB_FILE', async () => {
    const home = makeHome('pass-job-file');
    // $# counts the arguments after the line's own: 1 when the job file is appended.
    home.job(
      'plain-no',
      `[control]\nexecutable = sh -c 'echo "$#" > plain-no.txt; cat "$FJD_JOB_FILE" > copy.txt' sh\npass_job_file = no\n`,
    );
    home.job('shell-no', '[control]\nexecutable = echo "$#" > shell-no.txt\npass_job_file = no\n');
    home.job('shell-yes', '[control]\nexecutable = echo "$#" > shell-yes.txt\n');
    await home.run('fjd', ['hire', '1']);
    const result = await home.run('fjd', ['dispatch', '--fire-when-done']);
    expect(result.exitCode, result.stdout).toBe(0);
    expect(home.read('plain-no.txt')).toBe('0\n');
    expect(home.read('shell-no.txt')).toBe('0\n');
    // (the appended "$@" is echoed too)
    expect(home.read('shell-yes.txt')).toMatch(/^1 \/.*\/shell-yes\n$/);
    expect(home.read('copy.txt')).toContain('pass_job_file = no');
    expect(home.record('shell-no').command).toEqual(['/bin/sh', '-c', 'echo "$#" > shell-no.txt', 'fjd-job']);
    expect((home.record('plain-no').command as string[]).at(-1)).toBe('sh');
    expect((home.record('shell-yes').command as string[]).at(-1)).toMatch(/shell-yes$/);
  });

  it('fails a job whose pass_job_file is no boolean, with the reason', async () => {
    const home = makeHome('pass-job-file-bad');
    home.job('bad', '[control]\nexecutable = true\npass_job_file = perhaps\n');
    await home.run('fjd', ['hire', '1']);
    const result = await home.run('fjd', ['dispatch', '--fire-when-done']);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('pass_job_file = perhaps is not a boolean');
  });
});
