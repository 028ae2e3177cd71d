// A worker learns its pod's contents from its watch's events, but a dispatcher on another host
// raises none here: FJD_WATCH_FAULT=silent makes the watches work and report nothing, as then.
// The worker lists its pod on its tick and when a job ends with none known waiting, so every
// job runs, in the order handed out, and a fire request is seen within a tick.
import {expect, it} from 'vitest';
import {makeHome} from '../helpers/home.js';
import {waitUntil} from '../helpers/wait.js';

const SILENT = {FJD_WATCH_FAULT: 'silent'};

it('a worker told of nothing by its watches runs every job handed out, and is fired at its tick', async () => {
  const home = makeHome('unwatched-pod');
  const jobs = 40;
  for (let n = 0; n < jobs; n++) home.job(`j${String(n).padStart(2, '0')}`, '[control]\nexecutable = true\n');
  const worker = home.start('worker', ['--slots', '2'], {env: SILENT});
  const dispatcher = await home.run('dispatcher', ['--quiet']);
  expect(dispatcher.exitCode, dispatcher.stderr).toBe(0);
  expect(home.ls('done')).toHaveLength(jobs);
  expect(home.ls('failed')).toEqual([]);
  // Started in the order handed out (found by listings: by their ctimes).
  const records = home
    .ls('done')
    .map((id) => home.record(id) as {assignedAt: string; attempts: {startedAt: string}[]})
    .sort((a, b) => (a.assignedAt < b.assignedAt ? -1 : 1));
  const started = records.map((r) => r.attempts[0]?.startedAt ?? '');
  expect(started).toEqual([...started].sort());
  expect((await home.run('recruiter', ['fire'])).exitCode).toBe(0);
  const result = await worker.result;
  expect(result.exitCode, result.stderr).toBe(0);
  await waitUntil(() => home.ls('.fjd/workers').length === 0, 10_000, 'the worker to leave the home');
}, 120_000);
