// A worker and its job starter (run/job-starter.ts), through the CLIs: a starter that is
// killed while its job runs fails that job with the reason, and the worker goes on; a worker
// killed with -9 leaves its job running, findable as before, and its starter ends.
import fs from 'node:fs';
import path from 'node:path';
import {expect, it} from 'vitest';
import {fixture} from '../helpers/fixtures.js';
import {makeHome, type Started, type TestHome} from '../helpers/home.js';
import {isRunning, signalIfAlive} from '../helpers/processes.js';
import {statusOf} from '../helpers/status.js';
import {waitUntil} from '../helpers/wait.js';

// A hired worker and a watching dispatcher, once the worker's starter is ready: jobs are
// handed out until one has been started by it. Returns the starter's pid.
async function readyWorker(home: TestHome): Promise<{starter: number; log: string; dispatcher: Started}> {
  await home.run('recruiter', ['hire', '1']);
  const dispatcher = home.start('dispatcher', ['--watch']);
  let log = '';
  let n = 0;
  await waitUntil(
    async () => {
      const name = `warm-${++n}`;
      home.job(name, `[control]\nexecutable = /bin/true\n`);
      await waitUntil(() => home.ls('done').includes(name), 20_000, `${name} to finish`);
      log = (await statusOf(home)).workers[0]?.log ?? '';
      return /jobs are started by fjd's job starter/.test(home.read(log));
    },
    30_000,
    "the worker's job starter",
  );
  const starter = Number(/job starter \([^,]+, pid (\d+)\)/.exec(home.read(log))?.[1]);
  expect(starter).toBeGreaterThan(1);
  return {starter, log, dispatcher};
}

it('a job whose starter is killed while it runs fails with the reason once it ends, and the next job runs', async () => {
  const home = makeHome('starter-killed');
  const {starter, log} = await readyWorker(home);
  home.job('t', `[control]\nexecutable = ${fixture('hold.sh')}\n`);
  await waitUntil(() => fs.existsSync(path.join(home.dir, 'started-t')), 20_000, 'the job to start');
  signalIfAlive(starter, 'SIGKILL');
  await waitUntil(() => !isRunning(starter), 5_000, 'the starter to end');
  expect(home.ls('failed')).toEqual([]);
  fs.writeFileSync(path.join(home.dir, 'release'), '');
  await waitUntil(() => home.ls('failed').includes('t') && home.record('t').state === 'failed', 20_000, 't to fail');
  expect(home.record('t').reason).toMatch(
    /^exit status unknown: fjd's job starter \(.*python3, pid \d+\) ended \(killed by signal SIGKILL\) while it ran$/,
  );
  expect(home.read(log)).toMatch(/1 running job went on without it; the next job starts another/);
  home.job('after', `[control]\nexecutable = /bin/true\n`);
  await waitUntil(() => home.ls('done').includes('after'), 20_000, 'the next job to finish');
  await home.run('recruiter', ['fire']);
});

it('a worker killed with -9 leaves its job running in its own group, and its starter ends', async () => {
  const home = makeHome('starter-worker-killed');
  const {starter, dispatcher} = await readyWorker(home);
  home.job('t', `[control]\nexecutable = ${fixture('hold.sh')}\n`);
  await waitUntil(() => fs.existsSync(path.join(home.dir, 'started-t')), 20_000, 'the job to start');
  // Without a dispatcher, nothing recovers the job meanwhile.
  dispatcher.signal('SIGINT');
  await dispatcher.result;
  const job = Number(home.read('pid-t'));
  signalIfAlive((await statusOf(home)).workers[0]?.pid, 'SIGKILL');
  await waitUntil(() => !isRunning(starter), 10_000, 'the starter to end');
  expect(isRunning(job)).toBe(true);
  expect(signalIfAlive(-job, 'SIGKILL')).toBe(true);
});
