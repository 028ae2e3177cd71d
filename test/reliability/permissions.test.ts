// Permissions that change for a moment while jobs run: done/, then .fjd/records, made
// inaccessible (chmod 000, EACCES) or immutable (chattr +i, EPERM) for about 3 s, and given
// back. Recording and moving wait it out, as on a full disk: every job ends exactly once, and
// no worker or dispatcher exits.
import fs from 'node:fs';
import path from 'node:path';
import {expect, it} from 'vitest';
import {queueCountedJobs, repeated} from '../helpers/counted-jobs.js';
import {makeHome} from '../helpers/home.js';
import {isRunning} from '../helpers/processes.js';
import {statusOf} from '../helpers/status.js';
import {fixture} from '../helpers/fixtures.js';
import {AS_PLAIN_USER, chattr} from '../helpers/privileges.js';
import {waitUntil} from '../helpers/wait.js';

const JOBS = 200;

interface Lock {
  how: string;
  errno: string;
  // Returns why the directory cannot be locked here, if it cannot.
  lock(dir: string): string | undefined;
  unlock(dir: string): void;
}

const CHMOD: Lock = {
  how: 'chmod 000',
  errno: 'EACCES',
  lock: (dir) => (fs.chmodSync(dir, 0o000), undefined),
  unlock: (dir) => fs.chmodSync(dir, 0o700),
};
// Immutable refuses every change inside the directory, to root too.
const IMMUTABLE: Lock = {
  how: 'chattr +i',
  errno: 'EPERM',
  lock: (dir) => chattr('+i', dir),
  unlock: (dir) => void chattr('-i', dir),
};

for (const [locked, how] of [
  ['done', CHMOD],
  ['.fjd/records', CHMOD],
  ['done', IMMUTABLE],
] as const) {
  it(`${locked}/ locked (${how.how}) for 3 s mid-run: every job ends once, and the workers wait and stay`, async (context) => {
    const home = makeHome('perms');
    const jobs = queueCountedJobs(home, JOBS);
    const hire = await home.run('recruiter', ['hire', '2', '--heartbeat', '200ms', '--io-retry', '200ms'], {
      wrap: AS_PLAIN_USER,
    });
    expect(hire.exitCode, hire.stderr).toBe(0);
    const {workers} = await statusOf(home);
    // A lease of ten heartbeats: a worker that stopped beating while it waits would be taken
    // for lost, and its job run twice.
    const dispatcher = home.start('dispatcher', ['--lease', '2s', '--heartbeat', '200ms', '--io-retry', '200ms'], {
      wrap: AS_PLAIN_USER,
    });
    let exited = false;
    void dispatcher.result.then(() => (exited = true));
    await waitUntil(() => exited || jobs.runs().length >= 30, 30_000, '30 jobs to run');
    expect(exited, dispatcher.output()).toBe(false);

    const dir = path.join(home.dir, locked);
    const since = performance.now();
    const refused = how.lock(dir);
    if (refused !== undefined) {
      console.log(`permissions.test: skipped, cannot ${how.how} here (${refused})`);
      context.skip();
      return;
    }
    try {
      const met = (): boolean =>
        dispatcher.output().includes(how.errno) ||
        workers.some((w) => home.read(`.fjd/workers/${w.id}/heartbeat`).includes(how.errno));
      await waitUntil(
        () => exited || (performance.now() - since > 3000 && met()),
        30_000,
        `the run to meet ${how.errno} in ${locked}/ for 3 s`,
      );
    } finally {
      how.unlock(dir);
    }

    const result = await dispatcher.result;
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain(`Finished: ${JOBS}, failed: 0,`);
    expect(result.stdout).not.toMatch(/^Worker .* is gone/m);
    for (const worker of workers) expect(isRunning(worker.pid), `worker ${worker.id} still runs`).toBe(true);
    const logs = workers.map((w) => home.read(w.log ?? '')).join('');
    // Who met it first, the dispatcher or a worker, is a matter of timing; it was said.
    expect(logs + result.stdout + result.stderr).toMatch(new RegExp(`\\(${how.errno}: [a-z ]+, [a-z]+ '[^']+'`));
    expect(logs).not.toContain('presumed lost');
    // Exactly once each, in done/, with its own record (not one made up when it could not be
    // read: that would have lost when it was handed out), of one attempt.
    await waitUntil(() => home.ls('done').length === JOBS, 20_000, 'every job in done/');
    expect(jobs.runs()).toHaveLength(JOBS);
    expect(repeated(jobs.runs())).toEqual([]);
    expect(home.ls('failed'), JSON.stringify(home.ls('failed').map((id) => home.record(id)))).toEqual([]);
    for (const id of home.ls('done')) {
      expect(home.record(id), id).toMatchObject({
        state: 'finished',
        file: `done/${id}`,
        assignedAt: expect.any(String),
        attempts: [{outcome: 'finished'}],
      });
    }
    await home.run('recruiter', ['fire']);
  }, 120_000);
}

it('a job its worker is to start while .fjd/records is inaccessible waits for its own record, and runs once with it', async () => {
  const home = makeHome('perms-start');
  const jobs = queueCountedJobs(home, 0);
  const hire = await home.run('recruiter', ['hire', '1', '--heartbeat', '200ms', '--io-retry', '200ms'], {
    wrap: AS_PLAIN_USER,
  });
  expect(hire.exitCode, hire.stderr).toBe(0);
  const [worker] = (await statusOf(home)).workers;
  if (worker === undefined) throw new Error('no worker');
  // Stopped, the worker cannot start the job it is given before the records are locked.
  process.kill(worker.pid, 'SIGSTOP');
  const records = path.join(home.dir, '.fjd', 'records');
  home.job('k', `[control]\nexecutable = ${fixture('count-run.sh')} ${jobs.marks}\n`);
  const dispatcher = home.start('dispatcher', ['--io-retry', '200ms'], {wrap: AS_PLAIN_USER});
  try {
    await waitUntil(
      () => home.ls(`.fjd/workers/${worker.id}/pod`).includes('k'),
      20_000,
      'the job to be handed to the stopped worker',
    );
    fs.chmodSync(records, 0o000);
  } finally {
    process.kill(worker.pid, 'SIGCONT');
  }
  const waits = (): boolean =>
    home.read(worker.log ?? '').includes('k: cannot start it now (EACCES: permission denied, open ');
  try {
    await waitUntil(() => waits() || jobs.runs().length > 0, 20_000, 'the worker to wait for the record of k');
    expect(jobs.runs(), 'k ran without its record').toEqual([]);
  } finally {
    fs.chmodSync(records, 0o700);
  }
  const result = await dispatcher.result;
  expect(result.exitCode, result.stdout + result.stderr).toBe(0);
  expect(jobs.runs()).toEqual(['k']);
  expect(home.record('k')).toMatchObject({
    name: 'k',
    state: 'finished',
    assignedAt: expect.any(String),
    attempts: [{outcome: 'finished'}],
  });
  await home.run('recruiter', ['fire']);
});
