import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {makeHome} from '../helpers/home.js';
import {fixture} from '../helpers/fixtures.js';
import {waitUntil} from '../helpers/wait.js';

describe('fjd run', () => {
  it('runs touch bla$1.txt for 1,2,3 in the working directory and exits 0', async () => {
    const home = makeHome('run-params');
    const result = await home.run('fjd', ['run', '--exe', 'touch bla$1.txt', '--parameters', '1,2,3', '-j', '2']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Submitted 3 jobs to jobqueue\/: touch-\d{8}-\d{6}-1 … touch-\d{8}-\d{6}-3\.$/m);
    expect(result.stdout).toMatch(/^Finished: 3, failed: 0, wall time [\d.]+ s\.$/m);
    expect(result.stdout).toContain('Fired the worker it hired.');
    expect(home.ls('.').filter((name) => name.startsWith('bla'))).toEqual(['bla1.txt', 'bla2.txt', 'bla3.txt']);
    expect(home.ls('done')).toHaveLength(3);
    expect(home.ls('.fjd/workers')).toEqual([]);
  });

  it('runs a command N times with --repeat', async () => {
    const home = makeHome('run-repeat');
    const result = await home.run('fjd', [
      'run',
      '--exe',
      'echo x >> count.txt',
      '--repeat',
      '3',
      '-j',
      '1',
      '--quiet',
    ]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(home.read('count.txt')).toBe('x\nx\nx\n');
    expect(result.stdout).toMatch(/^Finished: 3, failed: 0/m);
    expect(result.stdout).not.toContain('Submitted');
  });

  it('runs one job per line of standard input with --parameters -', async () => {
    const home = makeHome('run-stdin');
    const result = await home.run('fjd', ['run', '--exe', 'touch', '--parameters', '-', '-j', '2'], {
      input: 'one.txt\nsecond file.txt\n\n',
    });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(fs.existsSync(path.join(home.dir, 'one.txt'))).toBe(true);
    expect(fs.existsSync(path.join(home.dir, 'second file.txt'))).toBe(true);
  });

  it('runs a bare --exe once', async () => {
    const home = makeHome('run-once');
    const result = await home.run('fjd', ['run', '--exe', 'echo hello > hello.txt']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(home.read('hello.txt')).toBe('hello\n');
    expect(result.stdout).toContain('Fired the worker it hired.');
  });

  it('fills $1 and $2 from #-separated parameters: cp $1 $2', async () => {
    const home = makeHome('run-copy');
    fs.mkdirSync(path.join(home.dir, 'bk'));
    fs.writeFileSync(path.join(home.dir, 'a.txt'), 'A');
    fs.writeFileSync(path.join(home.dir, 'b.txt'), 'B');
    const result = await home.run('fjd', [
      'run',
      '--exe',
      'cp $1 $2',
      '--parameters',
      'a.txt#bk/a.txt,b.txt#bk/b.txt',
      '-j',
      '2',
    ]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(home.read('bk/a.txt')).toBe('A');
    expect(home.read('bk/b.txt')).toBe('B');
  });

  it('runs a shell line as written, without the job file: cd data; gzip bla$1.txt', async () => {
    const home = makeHome('run-gzip');
    fs.mkdirSync(path.join(home.dir, 'data'));
    for (const n of [1, 2]) fs.writeFileSync(path.join(home.dir, 'data', `bla${n}.txt`), `text ${n}\n`);
    const result = await home.run('fjd', [
      'run',
      '--exe',
      'cd data; gzip bla$1.txt',
      '--parameters',
      '1,2',
      '--name',
      'gz',
    ]);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(home.ls('data')).toEqual(['bla1.txt.gz', 'bla2.txt.gz']);
    // The job files were not gzipped along: they are in done/, intact.
    expect(home.ls('done')).toEqual(['gz-1', 'gz-2']);
    expect(home.read('done/gz-1')).toContain('pass_job_file = no');
    expect(home.record('gz-1').command).toEqual(['/bin/sh', '-c', 'cd data; gzip bla1.txt', 'fjd-job']);
  });

  it('exits 1 when a job fails, and the summary names it', async () => {
    const home = makeHome('run-fail');
    const result = await home.run('fjd', [
      'run',
      '--exe',
      `${fixture('fail.sh')} $1`,
      '--parameters',
      '0,3',
      '--name',
      'f',
      '-j',
      '1',
    ]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('Job f-2 failed: exit code 3');
    expect(result.stdout).toMatch(/^Failed jobs: f-2 \(exit code 3\)\.$/m);
    expect(home.ls('done')).toEqual(['f-1']);
    expect(home.ls('failed')).toEqual(['f-2']);
  });

  it('on Ctrl-C stops dispatching, fires its workers now, puts the running jobs back, and exits 130', async () => {
    const home = makeHome('run-interrupt');
    const run = home.start('fjd', ['run', '--exe', fixture('hold.sh'), '--repeat', '2', '--name', 'h', '-j', '2']);
    await waitUntil(
      () => ['h-1', 'h-2'].every((id) => fs.existsSync(path.join(home.dir, `started-${id}`))),
      30_000,
      'both jobs to start',
    );
    run.signal('SIGINT');
    const result = await run.result;
    expect(result.exitCode, result.stdout + result.stderr).toBe(130);
    expect(result.stdout).toContain('Fired the worker it hired; its running jobs went back to jobqueue/.');
    expect(home.ls('jobqueue')).toEqual(['h-1', 'h-2']);
    expect(home.ls('done')).toEqual([]);
    expect(home.ls('.fjd/workers')).toEqual([]);
  });

  it('says before it starts that jobs left in jobqueue/ run too, and hires workers for them as well', async () => {
    const home = makeHome('run-leftovers');
    // As a Ctrl-C'd run leaves them: jobs of its own waiting in jobqueue/.
    for (const n of [1, 2, 3]) home.job(`old-${n}`, `[control]\nexecutable = ${fixture('fail.sh')} 0\n`);
    const result = await home.run('fjd', ['run', '--exe', 'echo new >> new.txt', '--name', 'new', '-j', '4']);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(result.stderr).toBe(
      'fjd run: note: 3 jobs were already waiting in jobqueue/ (old-1, old-2, old-3); they run too\n',
    );
    expect(result.stdout).toMatch(/^Submitted 1 job to jobqueue\/: new\.\nHired a worker with 4 slots\.\n/);
    expect(result.stdout).toMatch(/^Finished: 4, failed: 0, wall time [\d.]+ s\.$/m);
    expect(home.ls('done')).toEqual(['new', 'old-1', 'old-2', 'old-3']);
    expect(home.read('new.txt')).toBe('new\n');
  });

  it.each([
    ['no --exe', ['run', '--parameters', '1,2']],
    ['--repeat with --parameters', ['run', '--exe', 'true', '--repeat', '2', '--parameters', '1,2']],
    ['-j 0', ['run', '--exe', 'true', '-j', '0']],
  ])('refuses %s with exit code 2, running nothing', async (_what, args) => {
    const home = makeHome('run-usage');
    const result = await home.run('fjd', args);
    expect(result.exitCode).toBe(2);
    expect(home.ls('jobqueue')).toEqual([]);
    expect(home.ls('.fjd/workers')).toEqual([]);
  });
});
