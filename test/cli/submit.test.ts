import {spawn} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {parseJobFile} from '../../src/job/job-file.js';
import {makeHome, type TestHome} from '../helpers/home.js';
import {BIN} from '../helpers/paths.js';
import {waitUntil} from '../helpers/wait.js';

function jobIn(home: TestHome, name: string): ReturnType<typeof parseJobFile> {
  return parseJobFile(fs.readFileSync(path.join(home.dir, 'jobqueue', name)));
}

function params(home: TestHome, name: string): Record<string, string> {
  return Object.fromEntries(jobIn(home, name).document.sections.get('params') ?? []);
}

describe('fjd submit', () => {
  it('submits one job and prints its name alone; the job runs where it was submitted', async () => {
    const home = makeHome('submit-one');
    const result = await home.run('fjd', [
      'submit',
      '--exe',
      'python sim.py',
      '--param',
      'alpha=0.1',
      '--param',
      'seed=3',
      '--name',
      'sim-a',
    ]);
    expect(result).toEqual({exitCode: 0, stdout: 'sim-a\n', stderr: ''});
    const job = jobIn(home, 'sim-a');
    expect(job.control.executable).toBe('python sim.py');
    expect(job.control.workdir).toBe(home.dir);
    expect(job.control.passJobFile).toBe(true);
    expect(params(home, 'sim-a')).toEqual({alpha: '0.1', seed: '3'});
    expect(home.read('jobqueue/sim-a')).toMatch(/^# Made by fjd submit on \d{4}-/);
    expect(home.ls('.fjd/tmp')).toEqual([]);
  });

  it('names a job after the program and the time when no --name is given', async () => {
    const home = makeHome('submit-default-name');
    const result = await home.run('fjd', [
      'submit',
      '--exe',
      'python sim.py',
      '--param',
      'a=1',
      '--logfile',
      'out/a.log',
    ]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^sim-\d{8}-\d{6}\n$/);
    expect(home.ls('jobqueue')).toEqual([result.stdout.trim()]);
    expect(jobIn(home, result.stdout.trim()).control.logfile).toBe('out/a.log');
  });

  it('never overwrites a queued job: a taken name gets the next number, and it prints that name', async () => {
    const home = makeHome('submit-duplicate');
    home.job('sim', '[control]\nexecutable = keep me\n');
    const result = await home.run('fjd', ['submit', '--exe', 'python sim.py', '--param', 'a=1', '--name', 'sim']);
    expect(result.stdout).toBe('sim~2\n');
    expect(home.read('jobqueue/sim')).toBe('[control]\nexecutable = keep me\n');
    expect(params(home, 'sim~2')).toEqual({a: '1'});
  });

  it('submits one job per CSV row, quoted fields included, and says so in one line', async () => {
    const home = makeHome('submit-csv');
    fs.writeFileSync(
      path.join(home.dir, 'sweep.csv'),
      '\ufeffalpha,label\r\n0.1,"a, b"\r\n\r\n0.2,"say ""hi"""\r\n0.3,100%\r\n',
    );
    const result = await home.run('fjd', [
      'submit',
      '--exe',
      'python sim.py',
      '--params-file',
      'sweep.csv',
      '--name',
      'sweep',
    ]);
    expect(result).toEqual({exitCode: 0, stdout: 'Submitted 3 jobs to jobqueue/: sweep-1 … sweep-3.\n', stderr: ''});
    expect(home.ls('jobqueue')).toEqual(['sweep-1', 'sweep-2', 'sweep-3']);
    expect(params(home, 'sweep-1')).toEqual({alpha: '0.1', label: 'a, b'});
    expect(params(home, 'sweep-2')).toEqual({alpha: '0.2', label: 'say "hi"'});
    // configparser reads %% as %, as the job's own code will
    expect(home.read('jobqueue/sweep-3')).toContain('label = 100%%\n');
  });

  it('reads CSV from standard input with --params-file -', async () => {
    const home = makeHome('submit-csv-stdin');
    const result = await home.run('fjd', ['submit', '--exe', 'python sim.py', '--params-file', '-', '--name', 's'], {
      input: 'x\n1\n2\n',
    });
    expect(result.stdout).toBe('Submitted 2 jobs to jobqueue/: s-1 … s-2.\n');
    expect(params(home, 's-2')).toEqual({x: '2'});
  });

  it('publishes nothing when the CSV has an error, and names the file and line', async () => {
    const home = makeHome('submit-bad-csv');
    fs.writeFileSync(path.join(home.dir, 'bad.csv'), 'a,b\n1,2\n3,4\n5\n');
    const result = await home.run('fjd', ['submit', '--exe', 'run', '--params-file', 'bad.csv']);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain('bad.csv, line 4: 1 field, but the header names 2');
    expect(result.stdout).toBe('');
    expect(home.ls('jobqueue')).toEqual([]);
  });

  it('submits one job per line of standard input with --parameters -, placeholders filled and quoted', async () => {
    const home = makeHome('submit-stdin');
    const result = await home.run('fjd', ['submit', '--exe', 'gzip $1', '--parameters', '-', '--name', 'z'], {
      input: 'a.txt\r\n\nmy file.txt\n',
    });
    expect(result.stdout).toBe('Submitted 2 jobs to jobqueue/: z-1 … z-2.\n');
    expect(jobIn(home, 'z-1').control.executable).toBe('gzip a.txt');
    expect(jobIn(home, 'z-2').control.executable).toBe("gzip 'my file.txt'");
    expect(jobIn(home, 'z-2').control.passJobFile).toBe(false);
    expect(jobIn(home, 'z-2').document.sections.has('params')).toBe(false);
  });

  it('takes --parameters as a list too', async () => {
    const home = makeHome('submit-list');
    const result = await home.run('fjd', [
      'submit',
      '--exe',
      'cp $1 $2',
      '--parameters',
      'a.txt#bk/a.txt,b.txt#bk/b.txt',
      '--name',
      'cp',
    ]);
    expect(result.stdout).toBe('Submitted 2 jobs to jobqueue/: cp-1 … cp-2.\n');
    expect(jobIn(home, 'cp-2').control.executable).toBe('cp b.txt bk/b.txt');
  });

  it.each([
    ['no --exe', ['submit', '--param', 'a=1']],
    ['--repeat with --parameters', ['submit', '--exe', 'x', '--repeat', '2', '--parameters', '1,2']],
    ['--param with --parameters', ['submit', '--exe', 'x', '--param', 'a=1', '--parameters', '1,2']],
    ['--param without =', ['submit', '--exe', 'x', '--param', 'alpha']],
    ['a name jobqueue/ would ignore', ['submit', '--exe', 'x', '--name', '.hidden']],
    ['a missing placeholder', ['submit', '--exe', 'cp $1 $2', '--parameters', 'a']],
  ])('refuses %s with exit code 2, submitting nothing', async (_what, args) => {
    const home = makeHome('submit-usage');
    const result = await home.run('fjd', args);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/error/);
    expect(home.ls('jobqueue')).toEqual([]);
  });

  it('does not read standard input unless asked with -: an open, empty pipe does not hold it up', async () => {
    const home = makeHome('submit-no-stdin');
    const child = spawn(path.join(BIN, 'fjd'), ['submit', '--exe', 'x', '--repeat', '2', '--name', 'r'], {
      cwd: home.dir,
      env: {...process.env, FJD_HOME: home.dir},
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let exitCode: number | null = null;
    child.on('exit', (code) => (exitCode = code));
    try {
      await waitUntil(() => exitCode !== null, 30_000, 'fjd submit to exit while its stdin stays open');
    } finally {
      child.kill('SIGKILL');
    }
    expect(exitCode).toBe(0);
    expect(home.ls('jobqueue')).toEqual(['r-1', 'r-2']);
  });

  it('submits 10,000 jobs from one CSV in one process: exactly 10,000 distinct, parseable files', async () => {
    const home = makeHome('submit-10000');
    const rows = Array.from({length: 10_000}, (_v, i) => `${i},${(i * 0.001).toFixed(3)}`);
    fs.writeFileSync(path.join(home.dir, 'sweep.csv'), `seed,alpha\n${rows.join('\n')}\n`);
    const started = performance.now();
    const result = await home.run('fjd', [
      'submit',
      '--exe',
      'python sim.py',
      '--params-file',
      'sweep.csv',
      '--name',
      'sim',
    ]);
    console.log(`fjd submit of 10,000 jobs took ${((performance.now() - started) / 1000).toFixed(2)} s`);
    expect(result.stdout).toBe('Submitted 10000 jobs to jobqueue/: sim-00001 … sim-10000.\n');
    const names = home.ls('jobqueue');
    expect(names).toHaveLength(10_000);
    expect(new Set(names).size).toBe(10_000);
    names.forEach((name, i) => {
      expect(name).toBe(`sim-${String(i + 1).padStart(5, '0')}`);
      expect(params(home, name)).toEqual({seed: String(i), alpha: (i * 0.001).toFixed(3)});
    });
    expect(home.ls('.fjd/tmp')).toEqual([]);
  }, 120_000);
});
