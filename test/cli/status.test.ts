import fs from 'node:fs';
import path from 'node:path';
import {expect, it} from 'vitest';
import {makeHome} from '../helpers/home.js';
import {fixture} from '../helpers/fixtures.js';
import {waitUntil} from '../helpers/wait.js';
import {signalIfAlive} from '../helpers/processes.js';
import {statusOf, type StatusJson} from '../helpers/status.js';

it('fjd status shows every state: open, assigned, running, finished, failed, with the workers', async () => {
  const home = makeHome('status');
  const status = (): Promise<StatusJson> => statusOf(home);

  const empty = await status();
  expect(empty).toEqual({
    fjd: 1,
    home: home.dir,
    counts: {open: 0, assigned: 0, running: 0, finished: 0, failed: 0},
    paused: null,
    jobs: [],
    workers: [],
    slots: {total: 0, busy: 0},
    rate: {jobsPerSecond: null, windowSeconds: null},
    etaSeconds: 0,
    slurmJobs: [],
    limits: [],
    polling: [],
  });
  expect((await home.run('fjd', ['status'])).stdout).toBe(
    `Home: ${home.dir}\nJobs: 0 open, 0 assigned, 0 running, 0 finished, 0 failed\nRate: no job ended in the last 5 minutes\nWorkers: none (hire some with: recruiter hire)\n`,
  );

  home.job('ok', `[control]\nexecutable = ${fixture('fail.sh')} 0\n`);
  home.job('broken', `[control]\nexecutable = ${fixture('fail.sh')} 4\n`);
  await home.run('recruiter', ['hire', '1']);
  expect((await home.run('dispatcher', [])).exitCode).toBe(1);

  home.job('held', `[control]\nexecutable = ${fixture('hold.sh')}\n`);
  home.job('waiting', `[control]\nexecutable = ${fixture('fail.sh')} 0\n`);
  const dispatcher = home.start('dispatcher', []);
  await waitUntil(
    () => fs.existsSync(path.join(home.dir, 'started-held')) || fs.existsSync(path.join(home.dir, 'started-waiting')),
    20_000,
    'a job to start',
  );
  await waitUntil(async () => (await status()).counts.running === 1, 10_000, 'the record to say running');
  const busy = await status();
  expect(busy.counts).toEqual({open: 1, assigned: 0, running: 1, finished: 1, failed: 1});
  expect(busy.jobs.find((j) => j.state === 'failed')).toMatchObject({
    name: 'broken',
    file: 'failed/broken',
    reason: 'exit code 4',
  });
  expect(busy.jobs.find((j) => j.state === 'finished')).toMatchObject({name: 'ok', file: 'done/ok'});
  const runningJob = busy.jobs.find((j) => j.state === 'running');
  expect(runningJob?.worker).toBe(busy.workers[0]?.id);
  expect(busy.workers).toHaveLength(1);
  expect(busy.workers[0]).toMatchObject({state: 'busy', job: runningJob?.id, pid: expect.any(Number) as number});
  expect(busy.workers[0]?.jobStartedAt).not.toBeNull();
  expect(busy.workers[0]?.problem).toBeNull();

  const text = (await home.run('fjd', ['status'])).stdout;
  expect(text).toContain('Jobs: 1 open, 0 assigned, 1 running, 1 finished, 1 failed');
  expect(text).toMatch(
    new RegExp(`^  ${busy.workers[0]?.id ?? ''}  \\S+  pid \\d+  busy  ${runningJob?.id ?? ''} for \\d+ s$`, 'm'),
  );

  // A job in a pod whose record does not say running yet is "assigned".
  fs.writeFileSync(path.join(home.dir, 'release'), '');
  expect((await dispatcher.result).exitCode).toBe(0);
  const end = await status();
  expect(end.counts).toEqual({open: 0, assigned: 0, running: 0, finished: 3, failed: 1});
});

it('fjd status reports a job assigned but not yet started as assigned', async () => {
  const home = makeHome('assigned');
  // A worker that is frozen cannot take its job: the job stays assigned.
  await home.run('recruiter', ['hire', '1']);
  const before = await statusOf(home);
  const pid = before.workers[0]?.pid;
  signalIfAlive(pid, 'SIGSTOP');
  try {
    home.job('a', `[control]\nexecutable = ${fixture('fail.sh')} 0\n`);
    const dispatcher = home.start('dispatcher', []);
    await waitUntil(
      () => home.ls(`.fjd/workers/${before.workers[0]?.id ?? ''}/pod`).length === 1,
      20_000,
      'the job to be assigned',
    );
    const during = await statusOf(home);
    expect(during.counts.assigned).toBe(1);
    expect(during.jobs).toContainEqual(
      expect.objectContaining({name: 'a', id: 'a', state: 'assigned', worker: before.workers[0]?.id}),
    );
    signalIfAlive(pid, 'SIGCONT');
    expect((await dispatcher.result).exitCode).toBe(0);
  } finally {
    signalIfAlive(pid, 'SIGCONT');
  }
});
