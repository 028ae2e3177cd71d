// `fjd submit --env` and `--export-env`: an [env] section in each job, which the worker applies
// over its own environment.
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {parseJobFile} from '../../src/job/job-file.js';
import {makeHome} from '../helpers/home.js';

describe('fjd submit --env and --export-env', () => {
  it("write [env], and the job runs with it over the worker's environment", async () => {
    const home = makeHome('submit-env');
    const submit = await home.run(
      'fjd',
      [
        'submit',
        '--exe',
        'echo "$FROM_SHELL $BOTH $ONLY_WORKER $Spaced" > env.txt',
        '--name',
        'e',
        '--export-env',
        'FROM_SHELL,BOTH',
        '--env',
        'BOTH=cli',
        '--env',
        'Spaced=a b=c',
      ],
      {env: {FROM_SHELL: 'shell', BOTH: 'shell'}},
    );
    expect(submit).toEqual({exitCode: 0, stdout: 'e\n', stderr: ''});
    expect(home.read('jobqueue/e')).toMatch(/\n\[env\]\nFROM_SHELL = shell\nBOTH = cli\nSpaced = a b=c\n$/);
    await home.run('fjd', ['hire', '1'], {env: {FROM_SHELL: 'worker', BOTH: 'worker', ONLY_WORKER: 'w'}});
    const result = await home.run('fjd', ['dispatch', '--fire-when-done']);
    expect(result.exitCode, result.stdout).toBe(0);
    expect(home.read('env.txt')).toBe('shell cli w a b=c\n');
  });

  it('--export-env all copies the environment but for fjd’s own variables and the shell’s PWD, SHLVL …', async () => {
    const home = makeHome('submit-env-all');
    const result = await home.run('fjd', ['submit', '--exe', 'true', '--name', 'all', '--export-env', 'all'], {
      env: {MY_SETTING: '50%', SHLVL: '2', FJD_GROUP_SHARED: '', my_proxy: 'a', MY_PROXY: 'b', MULTI: 'a\nb'},
    });
    expect(result.exitCode, result.stderr).toBe(0);
    const {env} = parseJobFile(fs.readFileSync(path.join(home.dir, 'jobqueue', 'all')));
    expect(env.MY_SETTING).toBe('50%');
    expect(env.PATH).toBe(process.env.PATH);
    // Of two names that differ only in case, which a job file cannot hold both of, one is kept;
    // a value with a line break is left out.
    expect(Object.keys(env).filter((name) => name.toLowerCase() === 'my_proxy')).toHaveLength(1);
    expect(env.MULTI).toBeUndefined();
    expect(Object.keys(env).filter((name) => name.startsWith('FJD_') || ['PWD', 'SHLVL'].includes(name))).toEqual([]);
  });

  it.each([
    [['--env', 'FJD_JOB_ID=mine'], "--env FJD_JOB_ID: FJD_JOB_ID is fjd's own"],
    [['--env', 'NOVALUE'], '--env NOVALUE: write it as NAME=value'],
    [['--env', 'my-var=1'], '--env my-var: "my-var" is not an environment variable name'],
    [['--env', 'X= padded'], '--env X: the value of X cannot be written in a job file'],
    [['--env', 'A=1', '--env', 'a=2'], '--env a: A and a differ only in case'],
    [
      ['--export-env', 'NOT_SET_ANYWHERE'],
      '--export-env NOT_SET_ANYWHERE: NOT_SET_ANYWHERE is not set in this environment',
    ],
  ])('refuses %j with exit status 2 and submits nothing', async (args, message) => {
    const home = makeHome('submit-env-bad');
    const result = await home.run('fjd', ['submit', '--exe', 'true', '--name', 'x', ...args]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(`fjd submit: error: ${message}`);
    expect(home.ls('jobqueue')).toEqual([]);
  });
});
