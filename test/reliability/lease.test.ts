import fs from 'node:fs';
import path from 'node:path';
import {expect, it} from 'vitest';
import {makeHome} from '../helpers/home.js';
import {fixture} from '../helpers/fixtures.js';
import {isRunning, signalIfAlive} from '../helpers/processes.js';
import {statusOf} from '../helpers/status.js';
import {waitUntil} from '../helpers/wait.js';

it('a worker frozen longer than the lease: its job runs elsewhere, and when it wakes it records nothing and leaves', async () => {
  const home = makeHome('frozen');
  home.job('slow', `[control]\nexecutable = ${fixture('hold.sh')}\n`);
  await home.run('recruiter', ['hire', '1', '--heartbeat', '200ms']);
  const [frozen] = (await statusOf(home)).workers;
  if (frozen === undefined) throw new Error('no worker');
  const dispatcher = home.start('dispatcher', ['--lease', '2s', '--heartbeat', '200ms']);
  await waitUntil(() => fs.existsSync(path.join(home.dir, 'started-slow')), 20_000, 'the job to start');
  const firstChild = Number(home.read('child-slow.pid'));
  fs.rmSync(path.join(home.dir, 'started-slow'));
  signalIfAlive(frozen.pid, 'SIGSTOP');
  try {
    await home.run('recruiter', ['hire', '1', '--heartbeat', '200ms']);
    // Within the lease (plus a rescan) the job is taken from the frozen worker and started again.
    await waitUntil(
      () => fs.existsSync(path.join(home.dir, 'started-slow')),
      20_000,
      'the job to start on the second worker',
    );
    expect(isRunning(firstChild), "the first run was stopped with its worker's job").toBe(false);
  } finally {
    signalIfAlive(frozen.pid, 'SIGCONT');
  }
  await waitUntil(() => !isRunning(frozen.pid), 20_000, 'the frozen worker to find its pod gone and leave');
  fs.writeFileSync(path.join(home.dir, 'release'), '');
  const result = await dispatcher.result;
  expect(result.exitCode, result.stdout + result.stderr).toBe(0);
  expect(result.stdout).toMatch(
    new RegExp(
      `^Worker ${frozen.id} is gone \\(no heartbeat for 2 s\\); its jobs went back to the queue: slow\\.$`,
      'm',
    ),
  );
  expect(home.ls('done')).toEqual(['slow']);
  expect(home.ls('failed')).toEqual([]);
  expect(home.record('slow')).toMatchObject({
    state: 'finished',
    attempts: [
      {outcome: 'lost', worker: frozen.id, reason: 'worker lost (no heartbeat for 2 s)'},
      {outcome: 'finished'},
    ],
  });
  const log = home.read(frozen.log ?? '');
  expect(log).toContain('this worker was presumed lost');
});

it('a job whose workers keep dying fails with reason "worker lost" after max_attempts', async () => {
  const home = makeHome('maxattempts');
  home.job('doomed', `[control]\nexecutable = ${fixture('hold.sh')}\nmax_attempts = 2\n`);
  const dispatcher = home.start('dispatcher', []);
  for (let round = 1; round <= 2; round++) {
    await home.run('recruiter', ['hire', '1']);
    await waitUntil(() => fs.existsSync(path.join(home.dir, 'started-doomed')), 20_000, `run ${round} to start`);
    fs.rmSync(path.join(home.dir, 'started-doomed'));
    const [worker] = (await statusOf(home)).workers.filter((w) => w.state === 'busy');
    signalIfAlive(worker?.pid, 'SIGKILL');
    await waitUntil(() => home.ls('.fjd/workers').length === 0, 20_000, 'the lost worker to be cleaned up');
  }
  const result = await dispatcher.result;
  expect(result.exitCode).toBe(1);
  expect(result.stdout).toContain('failed after too many lost workers: doomed');
  expect(home.ls('failed')).toEqual(['doomed']);
  expect(home.record('doomed')).toMatchObject({state: 'failed', reason: 'worker lost 2 times (max_attempts 2)'});
});
