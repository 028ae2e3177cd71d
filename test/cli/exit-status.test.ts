// One exit status for "no such job": every verb that names a job (retry, cancel, status,
// logs, prioritize) exits 3 when the job does not exist or is not in a state the verb can act
// on, and 2 only for bad usage. Nothing in the home changes.
import {expect, it} from 'vitest';
import {makeHome, type TestHome} from '../helpers/home.js';
import {fixture} from '../helpers/fixtures.js';

const DIRS = ['jobqueue', 'done', 'failed'];
const where = (home: TestHome): Record<string, string[]> => Object.fromEntries(DIRS.map((dir) => [dir, home.ls(dir)]));

it('every verb exits 3 for a job that does not exist', async () => {
  const home = makeHome('exit-unknown');
  home.job('waiting', `[control]\nexecutable = ${fixture('fail.sh')} 0\n`);
  const verbs = [
    ['retry', 'nope'],
    ['cancel', 'nope', '--wait', '1s'],
    ['status', 'nope'],
    ['status', 'nope', '--json'],
    ['logs', 'nope'],
    ['logs', 'nope', '--follow'],
    ['prioritize', 'nope', '5'],
  ];
  for (const args of verbs) {
    const result = await home.run('fjd', args);
    expect({args, exitCode: result.exitCode}).toEqual({args, exitCode: 3});
    // (fjd cancel says "in this home", the others name it)
    expect(result.stderr, args.join(' ')).toContain('fjd: error: no job "nope" in ');
  }
  expect(where(home)).toEqual({jobqueue: ['waiting'], done: [], failed: []});
});

it('every verb exits 3 for a job in a state it cannot act on, and changes nothing', async () => {
  const home = makeHome('exit-state');
  home.job('fine', `[control]\nexecutable = ${fixture('fail.sh')} 0\n`);
  home.job('bad', `[control]\nexecutable = ${fixture('fail.sh')} 4\n`);
  expect((await home.run('recruiter', ['hire', '1'])).exitCode).toBe(0);
  expect((await home.run('dispatcher', ['--fire-when-done'])).exitCode).toBe(1);
  home.job('waiting', `[control]\nexecutable = ${fixture('fail.sh')} 0\n`);
  const before = where(home);
  expect(before).toEqual({jobqueue: ['waiting'], done: ['fine'], failed: ['bad']});
  const cases: [string[], string][] = [
    [['retry', 'fine'], 'fjd: error: fine is finished (done/fine), not failed: only a job in failed/ can be retried\n'],
    [
      ['retry', 'waiting'],
      'fjd: error: waiting is open (jobqueue/waiting), not failed: only a job in failed/ can be retried\n',
    ],
    [['cancel', 'fine', '--wait', '1s'], 'fjd: error: fine had already finished; nothing to cancel\n'],
    [['cancel', 'bad', '--wait', '1s'], 'fjd: error: bad had already failed (exit code 4); nothing to cancel\n'],
    [
      ['prioritize', 'fine', '5'],
      'fjd: error: fine is finished, not open: only a job waiting in jobqueue/ can be given a priority\n',
    ],
    [
      ['prioritize', 'bad', '5'],
      'fjd: error: bad is failed, not open: only a job waiting in jobqueue/ can be given a priority\n',
    ],
    [['logs', 'bad', '--attempt', '2'], 'fjd: error: job bad has no attempt 2 (it has 1)\n'],
  ];
  for (const [args, said] of cases) {
    const result = await home.run('fjd', args);
    expect({args, exitCode: result.exitCode}).toEqual({args, exitCode: 3});
    expect(result.stderr, args.join(' ')).toContain(said);
    expect(where(home), args.join(' ')).toEqual(before);
  }

  // A failed job and an unknown one: the failed job goes back, and the status is still 3.
  const mixed = await home.run('fjd', ['retry', 'bad', 'nope']);
  expect(mixed.exitCode).toBe(3);
  expect(mixed.stdout).toBe('Put 1 failed job back in the queue: bad.\n');
  expect(mixed.stderr).toContain(`fjd: error: no job "nope" in ${home.dir}\n`);
  expect(where(home)).toEqual({jobqueue: ['bad', 'waiting'], done: ['fine'], failed: []});
});

it('bad usage stays exit status 2', async () => {
  const home = makeHome('exit-usage');
  for (const args of [
    ['retry'],
    ['cancel'],
    ['logs'],
    ['prioritize', 'nope', 'high'],
    ['logs', 'nope', '--attempt', 'last'],
    ['status', '--watch', 'often'],
  ]) {
    const result = await home.run('fjd', args);
    expect({args, exitCode: result.exitCode}).toEqual({args, exitCode: 2});
  }
});
