// A worker looks at a job's working directory once, not before every job (a round trip on
// NFS); one gone since fails its next job with the same reason as before it ever started, and
// is not tried again.
import fs from 'node:fs';
import path from 'node:path';
import {expect, it, vi} from 'vitest';
import {newRecord} from '../../src/home/record.js';
import {DEFAULT_REQUEST} from '../../src/job/resources.js';
import {Attempts} from '../../src/worker/attempt.js';
import {createCore, type Lane} from '../../src/worker/core.js';
import type {Recorder} from '../../src/worker/recorder.js';
import {Requests} from '../../src/worker/requests.js';
import {makeHome} from '../helpers/home.js';
import {waitUntil} from '../helpers/wait.js';

it('a working directory removed after a job ran there fails the next job there, saying so, without retries', async () => {
  const home = makeHome('workdir');
  const dir = path.join(home.dir, 'place');
  fs.mkdirSync(dir);
  const job = `[control]\nexecutable = true\nworkdir = ${dir}\nretries = 2\n`;
  home.job('first', job);
  const worker = home.start('worker', []);
  const dispatcher = home.start('dispatcher', ['--watch', '--quiet']);
  await waitUntil(() => home.ls('done').includes('first'), 20_000, 'the first job to finish');
  fs.rmdirSync(dir);
  home.job('second', job);
  await waitUntil(() => home.ls('failed').includes('second'), 20_000, 'the second job to fail');
  expect(home.record('second')).toMatchObject({
    state: 'failed',
    reason: `working directory ${dir} does not exist`,
    attempts: [{outcome: 'failed', reason: `working directory ${dir} does not exist`}],
  });
  dispatcher.signal('SIGINT');
  await dispatcher.result;
  expect((await home.run('recruiter', ['fire'])).exitCode).toBe(0);
  expect((await worker.result).exitCode).toBe(0);
}, 60_000);

it('prepares job after job in one working directory looking at it once', () => {
  const home = makeHome('workdir-once');
  const core = createCore({home: home.dir, cwd: home.dir, env: {PATH: process.env.PATH}, log: () => undefined});
  const attempts = new Attempts(core, new Requests(core), undefined as unknown as Recorder);
  const allocation = core.slots.allocate(DEFAULT_REQUEST);
  if (allocation === undefined) throw new Error('no slot');
  const stat = vi.spyOn(fs, 'statSync');
  try {
    for (const id of ['a', 'b', 'c']) {
      const file = path.join(home.dir, id);
      fs.writeFileSync(file, '[control]\nexecutable = /bin/true\n', {mode: 0o600});
      const lane: Lane = {id, holding: allocation, run: undefined, note: undefined};
      expect(attempts.prepare(file, id, newRecord(id, id), lane).run.cwd).toBe(home.dir);
    }
    expect(stat.mock.calls.filter(([p]) => p === home.dir)).toHaveLength(1);
  } finally {
    stat.mockRestore();
    core.timers.clearAll();
  }
});
