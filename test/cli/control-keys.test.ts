// A key of [control] that fjd does not know fails its job before it runs, with a reason that
// names it and the key it probably meant; the original fjd's job files and the job's own
// sections run as before.
import {execaSync} from 'execa';
import fs from 'node:fs';
import path from 'node:path';
import {expect, it} from 'vitest';
import {makeHome} from '../helpers/home.js';
import {fixture} from '../helpers/fixtures.js';
import {REPO} from '../helpers/paths.js';

const mark = fixture('mark.sh');

it('fails a job with an unknown [control] key at once, naming the key and the one it probably meant', async () => {
  const home = makeHome('keys');
  const cases: [string, string, string][] = [
    [
      'typo-timeout',
      `[control]\nexecutable = ${mark} 3\ntimout = 1s\n`,
      'unknown key "timout" in [control] (did you mean "timeout"?)',
    ],
    [
      'typo-retries',
      `[control]\nexecutable = ${mark} - 1\nretires = 2\n`,
      'unknown key "retires" in [control] (did you mean "retries"?)',
    ],
    ['no-match', `[fjd]\nexecutable = ${mark}\ncolour = red\n`, 'unknown key "colour" in [fjd]'],
  ];
  for (const [name, text] of cases) home.job(name, text);
  // The job's own sections (and [DEFAULT]) are free, whatever their keys look like.
  home.job(
    'free',
    `[DEFAULT]\ncolour = blue\n[control]\nexecutable = ${mark}\n[params]\ntimout = 3\nretires: 2\n[Odd Section]\nexecutable = not ours\n`,
  );
  expect((await home.run('recruiter', ['hire', '1'])).exitCode).toBe(0);

  const result = await home.run('dispatcher', []);
  expect(result.exitCode, result.stdout + result.stderr).toBe(1);
  for (const [name, text, reason] of cases) {
    expect(result.stdout).toContain(`Job ${name} failed: ${reason}\n`);
    expect(home.record(name)).toMatchObject({
      state: 'failed',
      reason,
      attempts: [{outcome: 'failed', reason, pid: null}],
    });
    expect(home.read(`failed/${name}`)).toBe(text);
  }
  expect(home.ls('done')).toEqual(['free']);
  // None of the refused jobs ran: only `free` left its marks.
  expect(
    home
      .read('marks.txt')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => line.split(' ').slice(0, 2).join(' ')),
  ).toEqual(['free start', 'free end']);
});

it('fails a job whose cpus, memory or gpus can never be valid, with the reason in its record, and runs one that asks validly', async () => {
  const home = makeHome('requests');
  const cases: [string, string, string][] = [
    [
      'no-cpus',
      `[control]\nexecutable = ${mark}\ncpus = 0\n`,
      '[control] cpus = 0 is not a whole number of at least 1',
    ],
    [
      'half-cpu',
      `[control]\nexecutable = ${mark}\ncpus = 2.5\n`,
      '[control] cpus = 2.5 is not a whole number of at least 1',
    ],
    [
      'many-gpus',
      `[fjd]\nexecutable = ${mark}\ngpus = many\n`,
      '[fjd] gpus = many is not a whole number of at least 0',
    ],
    [
      'lots',
      `[control]\nexecutable = ${mark}\nmemory = lots\n`,
      '[control] memory = lots is not a size such as 8G, 512M or 2T',
    ],
  ];
  for (const [name, text] of cases) home.job(name, text);
  home.job('asks', `[control]\nexecutable = ${mark}\ncpus = 1\nmemory = 1M\ngpus = 0\n`);
  expect((await home.run('recruiter', ['hire', '1'])).exitCode).toBe(0);

  const result = await home.run('dispatcher', []);
  expect(result.exitCode, result.stdout + result.stderr).toBe(1);
  for (const [name, text, reason] of cases) {
    expect(result.stdout).toContain(`Job ${name} failed: ${reason}\n`);
    expect(home.record(name)).toMatchObject({
      state: 'failed',
      reason,
      attempts: [{outcome: 'failed', reason, pid: null}],
    });
    expect(home.read(`failed/${name}`)).toBe(text);
  }
  expect(home.ls('done')).toEqual(['asks']);
  expect(home.read('marks.txt')).not.toMatch(/^(no-cpus|half-cpu|many-gpus|lots) /m);
});

const python = execaSync('python', ['-c', 'import configparser'], {reject: false}).exitCode === 0;
if (!python)
  console.warn('control-keys.test: the original fjd job file is not run: no `python` with configparser on PATH');

it.runIf(python)(
  'runs the job file of the original fjd README unchanged: its logfile is created and the job reads its file',
  async () => {
    const home = makeHome('seed');
    // The original example's job, which reads its own job file with configparser.
    fs.mkdirSync(path.join(home.dir, 'test'));
    fs.writeFileSync(
      path.join(home.dir, 'test', 'ajob.py'),
      [
        'import configparser, sys',
        'conf = configparser.ConfigParser()',
        'conf.read(sys.argv[1])',
        "with open(conf.get('control', 'logfile'), 'a') as log:",
        "    log.write(conf.get('params', 'param1') + '\\n')",
        '',
      ].join('\n'),
    );
    home.job('job0', fs.readFileSync(path.join(REPO, 'test', 'fixtures', 'seed-job0.ini'), 'utf8'));
    expect((await home.run('recruiter', ['hire', '1'])).exitCode).toBe(0);
    const result = await home.run('dispatcher', []);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(home.ls('done')).toEqual(['job0']);
    expect(home.read('data/job0.dat')).toBe('value0\n');
  },
);
