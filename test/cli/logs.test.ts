// `fjd logs JOB [--follow] [--attempt N]`, as a user types it.
import fs from 'node:fs';
import path from 'node:path';
import {expect, it} from 'vitest';
import {makeHome} from '../helpers/home.js';
import {fixture} from '../helpers/fixtures.js';
import {waitUntil} from '../helpers/wait.js';

it("fjd logs prints a finished job's stdout to stdout and its stderr to stderr, for any attempt", async () => {
  const home = makeHome('logs');
  home.job('twice', `[control]\nexecutable = ${fixture('flaky.sh')} 2\nretries = 1\n`);
  home.job('broken', `[control]\nexecutable = ${fixture('fail.sh')} 4\n`);
  expect((await home.run('recruiter', ['hire', '1'])).exitCode).toBe(0);
  expect((await home.run('dispatcher', [])).exitCode).toBe(1);

  expect(await home.run('fjd', ['logs', 'broken'])).toEqual({
    exitCode: 0,
    stdout: 'out of broken\n',
    stderr: 'trouble in broken\n',
  });
  expect(await home.run('fjd', ['logs', 'failed/broken'])).toEqual({
    exitCode: 0,
    stdout: 'out of broken\n',
    stderr: 'trouble in broken\n',
  });
  // Each attempt has its own output; the last one is the default.
  expect((await home.run('fjd', ['logs', 'twice'])).stdout).toBe('run 2\n');
  expect((await home.run('fjd', ['logs', 'twice', '--attempt', '1'])).stdout).toBe('run 1\n');
  expect((await home.run('fjd', ['logs', 'twice', '--attempt', '2'])).stdout).toBe(
    home.read('.fjd/output/twice.2.out'),
  );
  const tooFar = await home.run('fjd', ['logs', 'broken', '--attempt', '2']);
  expect(tooFar).toMatchObject({
    exitCode: 3,
    stdout: '',
    stderr: 'fjd: error: job broken has no attempt 2 (it has 1)\n',
  });

  home.job('later', `[control]\nexecutable = ${fixture('fail.sh')} 0\n`);
  expect(await home.run('fjd', ['logs', 'later'])).toEqual({
    exitCode: 0,
    stdout: '',
    stderr: 'fjd: job later has not started yet (open), so it has no output; fjd logs --follow waits for it\n',
  });
  // A job that ended without running says so, and why; --follow has nothing to wait for.
  home.job('withdrawn', `[control]\nexecutable = ${fixture('fail.sh')} 0\n`);
  expect((await home.run('fjd', ['cancel', 'withdrawn'])).exitCode).toBe(0);
  for (const args of [
    ['logs', 'withdrawn'],
    ['logs', 'withdrawn', '--follow'],
  ]) {
    expect(await home.run('fjd', args)).toEqual({
      exitCode: 0,
      stdout: '',
      stderr: 'fjd: job withdrawn never ran: it failed before a worker took it (cancelled), so it has no output\n',
    });
  }
  const unknown = await home.run('fjd', ['logs', 'nothing-like-it']);
  expect(unknown.exitCode).toBe(3);
  expect(unknown.stderr).toContain(`fjd: error: no job "nothing-like-it" in ${home.dir}\n`);
});

it('fjd logs --follow waits for the job to start, prints its output as it comes, and exits 0 when it ends', async () => {
  const home = makeHome('logs-follow');
  home.job('talk', `[control]\nexecutable = ${fixture('talk-and-hold.sh')}\n`);
  const follower = home.start('fjd', ['logs', 'talk', '--follow']);
  await waitUntil(() => follower.output().includes('has not started yet'), 20_000, 'the follower to say it waits');
  expect((await home.run('recruiter', ['hire', '1'])).exitCode).toBe(0);
  const dispatcher = home.start('dispatcher', []);
  await waitUntil(
    () => follower.output().includes('first out of talk') && follower.output().includes('first err of talk'),
    20_000,
    'the first part',
  );
  expect(follower.output()).not.toContain('last');
  fs.writeFileSync(path.join(home.dir, 'release'), '');
  const result = await follower.result;
  expect(result.exitCode).toBe(0);
  expect(result.stdout).toBe('first out of talk\nlast out of talk\n');
  expect(result.stderr).toBe(
    'fjd: job talk has not started yet (open); waiting for it\nfirst err of talk\nlast err of talk\n',
  );
  expect((await dispatcher.result).exitCode).toBe(0);
});

it('fjd logs --follow on a running job ends with 130 on Ctrl-C', async () => {
  const home = makeHome('logs-interrupt');
  home.job('talk', `[control]\nexecutable = ${fixture('talk-and-hold.sh')}\n`);
  expect((await home.run('recruiter', ['hire', '1'])).exitCode).toBe(0);
  const dispatcher = home.start('dispatcher', []);
  const follower = home.start('fjd', ['logs', '-f', 'talk']);
  await waitUntil(() => follower.output().includes('first out of talk'), 20_000, 'the first part');
  follower.signal('SIGINT');
  expect((await follower.result).exitCode).toBe(130);
  fs.writeFileSync(path.join(home.dir, 'release'), '');
  expect((await dispatcher.result).exitCode).toBe(0);
});
