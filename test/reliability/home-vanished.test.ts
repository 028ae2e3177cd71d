// The home renamed away for a moment while jobs run, and back: the workers and the dispatcher
// wait for it (a pod missing with the whole home is no fence), and nothing is failed,
// requeued or run twice because of it.
import fs from 'node:fs';
import path from 'node:path';
import {expect, it} from 'vitest';
import {queueCountedJobs, repeated} from '../helpers/counted-jobs.js';
import {makeHome} from '../helpers/home.js';
import {isRunning} from '../helpers/processes.js';
import {statusOf} from '../helpers/status.js';
import {waitUntil} from '../helpers/wait.js';

const JOBS = 200;

it('the home renamed away for 3 s and back: the run completes, no job runs twice, and the workers stay', async () => {
  const home = makeHome('vanish');
  const jobs = queueCountedJobs(home, JOBS);
  const hire = await home.run('recruiter', ['hire', '2', '--heartbeat', '200ms', '--io-retry', '200ms']);
  expect(hire.exitCode, hire.stderr).toBe(0);
  const {workers} = await statusOf(home);
  // Away longer than the lease: the time the home was gone must not count against the
  // workers, whose heartbeats could not change meanwhile.
  const dispatcher = home.start('dispatcher', ['--lease', '2s', '--heartbeat', '200ms', '--io-retry', '200ms']);
  let exited = false;
  void dispatcher.result.then(() => (exited = true));
  await waitUntil(() => exited || jobs.runs().length >= 30, 30_000, '30 jobs to run');
  expect(exited, dispatcher.output()).toBe(false);

  const away = `${home.dir}.away`;
  const since = performance.now();
  fs.renameSync(home.dir, away);
  try {
    const saidGone = (): boolean =>
      dispatcher.output().includes('is gone') &&
      workers.every((w) => fs.readFileSync(path.join(away, w.log ?? ''), 'utf8').includes('is gone'));
    await waitUntil(
      () => exited || (performance.now() - since > 3000 && saidGone()),
      30_000,
      'the dispatcher and both workers to say the home is gone',
    );
  } finally {
    fs.renameSync(away, home.dir);
  }

  const result = await dispatcher.result;
  expect(result.exitCode, result.stdout + result.stderr).toBe(0);
  expect(result.stdout).toContain(`Finished: ${JOBS}, failed: 0,`);
  expect(result.stdout).not.toMatch(/^Worker .* is gone|went back to the queue/m);
  const gone = `dispatcher: warning: the home ${home.dir} is gone (moved, renamed or unmounted?); waiting for it to come back, with every job where it is\n`;
  expect(result.stderr.split(gone)).toHaveLength(2);
  expect(result.stderr).toContain(`dispatcher: warning: the home ${home.dir} is back; dispatching goes on\n`);
  for (const worker of workers) {
    expect(isRunning(worker.pid), `worker ${worker.id} still runs`).toBe(true);
    const log = home.read(worker.log ?? '');
    expect(log).toContain(`the home ${home.dir} is gone`);
    expect(log).toContain(`the home ${home.dir} is back; going on`);
    expect(log).not.toContain('presumed lost');
  }
  await waitUntil(() => home.ls('done').length === JOBS, 20_000, 'every job in done/');
  expect(jobs.runs()).toHaveLength(JOBS);
  expect(repeated(jobs.runs())).toEqual([]);
  expect(home.ls('failed'), JSON.stringify(home.ls('failed').map((id) => home.record(id)))).toEqual([]);
  for (const id of home.ls('done'))
    expect(home.record(id), id).toMatchObject({
      state: 'finished',
      file: `done/${id}`,
      attempts: [{outcome: 'finished'}],
    });
  await home.run('recruiter', ['fire']);
}, 120_000);
