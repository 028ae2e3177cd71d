import fs from 'node:fs';
import path from 'node:path';
import {expect, it} from 'vitest';
import {makeHome} from '../helpers/home.js';
import {fixture} from '../helpers/fixtures.js';
import {isRunning} from '../helpers/processes.js';

it('a job past its timeout is stopped with its whole process group, fails with the reason, and the worker carries on', async () => {
  const home = makeHome('timeout');
  home.job('stuck', `[control]\nexecutable = ${fixture('hold.sh')}\ntimeout = 1s\n`);
  home.job('after', `[control]\nexecutable = ${fixture('fail.sh')} 0\n`);
  await home.run('recruiter', ['hire', '1']);
  const result = await home.run('dispatcher', []);
  expect(result.exitCode).toBe(1);
  expect(result.stdout).toContain('Job stuck failed: timeout after 1s');
  expect(home.ls('failed')).toEqual(['stuck']);
  expect(home.ls('done')).toEqual(['after']);
  expect(home.record('stuck')).toMatchObject({state: 'failed', reason: 'timeout after 1s', signal: 'SIGTERM'});
  const child = Number(home.read('child-stuck.pid'));
  expect(isRunning(child)).toBe(false);
});

it.each([
  ['90', 90_000],
  ['90s', 90_000],
  ['1.5m', 90_000],
  ['2h', 7_200_000],
])('reads timeout = %s', async (text, ms) => {
  const {parseJobText} = await import('../../src/job/job-file.js');
  expect(parseJobText(`[control]\nexecutable = x\ntimeout = ${text}\n`).control.timeoutMs).toBe(ms);
});

it('retries = N runs a failing job again, and every attempt is in the record with its own output', async () => {
  const home = makeHome('retries');
  home.job('third-time-lucky', `[control]\nexecutable = ${fixture('flaky.sh')} 3\nretries = 3\nretry_delay = 100ms\n`);
  home.job('hopeless', `[control]\nexecutable = ${fixture('flaky.sh')} 99\nretries = 1\n`);
  await home.run('recruiter', ['hire', '2']);
  const result = await home.run('dispatcher', []);
  expect(result.exitCode).toBe(1);
  expect(home.ls('done')).toEqual(['third-time-lucky']);
  expect(home.ls('failed')).toEqual(['hopeless']);
  const lucky = home.record('third-time-lucky');
  expect(lucky).toMatchObject({
    state: 'finished',
    attempts: [
      {attempt: 1, outcome: 'failed', exitCode: 1, reason: 'exit code 1'},
      {attempt: 2, outcome: 'failed', exitCode: 1},
      {attempt: 3, outcome: 'finished', exitCode: 0},
    ],
  });
  const attempts = lucky.attempts as {stdout: string}[];
  expect(attempts.map((a) => home.read(a.stdout))).toEqual(['run 1\n', 'run 2\n', 'run 3\n']);
  expect(home.record('hopeless')).toMatchObject({
    state: 'failed',
    reason: 'exit code 1',
    attempts: [{outcome: 'failed'}, {outcome: 'failed'}],
  });
});

it('fjd retry puts failed jobs back (by name or all), and they keep their id and history', async () => {
  const home = makeHome('fjdretry');
  home.job('a.ini', `[control]\nexecutable = ${fixture('flaky.sh')} 2\n`);
  home.job('b.ini', `[control]\nexecutable = ${fixture('flaky.sh')} 2\n`);
  home.job('c.ini', `[control]\nexecutable = ${fixture('fail.sh')} 0\n`);
  await home.run('recruiter', ['hire', '1']);
  expect((await home.run('dispatcher', [])).exitCode).toBe(1);
  expect(home.ls('failed')).toEqual(['a.ini', 'b.ini']);

  const usage = await home.run('fjd', ['retry']);
  expect(usage.exitCode).toBe(2);
  const finished = await home.run('fjd', ['retry', 'c.ini']);
  expect(finished).toMatchObject({
    exitCode: 3,
    stdout: '',
    stderr:
      'fjd: error: c.ini is finished (done/c.ini), not failed: only a job in failed/ can be retried\nfjd: To run it again, queue its file again: cp done/c.ini jobqueue/\n',
  });

  expect((await home.run('fjd', ['retry', 'a.ini'])).stdout).toBe('Put 1 failed job back in the queue: a.ini.\n');
  expect(home.ls('jobqueue')).toEqual(['a.ini']);
  expect((await home.run('dispatcher', [])).exitCode).toBe(0);
  expect(home.ls('done')).toEqual(['a.ini', 'c.ini']);

  expect((await home.run('fjd', ['retry', '--all'])).stdout).toBe('Put 1 failed job back in the queue: b.ini.\n');
  expect((await home.run('dispatcher', [])).exitCode).toBe(0);
  expect(home.ls('done')).toEqual(['a.ini', 'b.ini', 'c.ini']);
  expect(home.ls('failed')).toEqual([]);
  expect(home.record('b.ini')).toMatchObject({
    state: 'finished',
    attempts: [{outcome: 'failed'}, {outcome: 'finished'}],
  });
  expect(fs.existsSync(path.join(home.dir, 'done', 'b~2.ini'))).toBe(false);
});
