// A job and its worker told to stop by one signal, the job first: what Slurm's scancel and the
// end of an allocation do (they signal every process of the job step, in no set order). The
// worker must not call the attempt failed because its job died a moment before it heard.
import fs from 'node:fs';
import path from 'node:path';
import {expect, it} from 'vitest';
import {makeHome, type TestHome} from '../helpers/home.js';
import {fixture} from '../helpers/fixtures.js';
import {isRunning, signalIfAlive} from '../helpers/processes.js';
import {statusOf} from '../helpers/status.js';
import {waitUntil} from '../helpers/wait.js';

// Starts the held job `t` on one worker; returns the worker's pid and the job's.
async function heldJob(home: TestHome): Promise<{worker: number; job: number}> {
  home.job('t', `[control]\nexecutable = ${fixture('hold.sh')}\n`);
  await home.run('recruiter', ['hire', '1']);
  const dispatcher = home.start('dispatcher', []);
  await waitUntil(() => fs.existsSync(path.join(home.dir, 'started-t')), 20_000, 'the job to start');
  dispatcher.signal('SIGINT');
  await dispatcher.result;
  return {worker: (await statusOf(home)).workers[0]?.pid ?? 0, job: Number(home.read('pid-t'))};
}

it('a job killed by SIGTERM just before its worker gets SIGTERM goes back to the queue, not failed', async () => {
  const home = makeHome('term-race');
  const {worker, job} = await heldJob(home);
  signalIfAlive(-job, 'SIGTERM');
  await waitUntil(() => !isRunning(job), 5_000, 'the job to die');
  signalIfAlive(worker, 'SIGTERM');
  await waitUntil(() => !isRunning(worker), 20_000, 'the worker to leave');
  expect(home.ls('jobqueue')).toEqual(['t']);
  expect(home.ls('failed')).toEqual([]);
  expect(home.record('t')).toMatchObject({
    state: 'requeued',
    attempts: [{outcome: 'requeued', signal: 'SIGTERM', reason: 'worker received SIGTERM'}],
  });
});

it('a job killed by SIGTERM while its worker goes on fails, after a moment', async () => {
  const home = makeHome('term-job');
  const {job} = await heldJob(home);
  signalIfAlive(-job, 'SIGTERM');
  // The file is linked into failed/ a moment before its record is moved into place.
  await waitUntil(
    () => home.ls('failed').length === 1 && home.record('t').state === 'failed',
    10_000,
    'the job to fail',
  );
  expect(home.record('t')).toMatchObject({
    state: 'failed',
    reason: 'killed by signal SIGTERM',
    attempts: [{outcome: 'failed'}],
  });
  expect((await home.run('recruiter', ['fire'])).stdout).toBe('Fired 1 worker.\n');
});
