// A worker looks for a fire request when its directory's watch names the file and on its tick
// (a request written on another host raises no event here), never once per job: fired on this
// host it leaves at once, even idle between heartbeats far apart; unable to watch, it leaves
// within a tick.
import {expect, it} from 'vitest';
import {makeHome} from '../helpers/home.js';
import {fixture} from '../helpers/fixtures.js';
import {waitUntil} from '../helpers/wait.js';

it('an idle worker fired on this host leaves at once, long before its next heartbeat', async () => {
  const home = makeHome('fire-event');
  // Idle for more than 10 s, a worker wakes once per heartbeat: here every 60 s.
  const worker = home.start('worker', ['--heartbeat', '60s']);
  await waitUntil(() => home.ls('workerqueue').length === 1, 10_000, 'the worker to announce itself');
  await new Promise((resolve) => setTimeout(resolve, 11_000));
  const firedAt = performance.now();
  expect((await home.run('recruiter', ['fire'])).exitCode).toBe(0);
  const result = await worker.result;
  expect(result.exitCode, result.stderr).toBe(0);
  expect(performance.now() - firedAt).toBeLessThan(20_000);
  expect(home.ls('.fjd/workers')).toEqual([]);
}, 60_000);

it('a busy worker that cannot watch its directory is fired at its next tick, and puts its jobs back', async () => {
  const home = makeHome('fire-tick');
  home.job('a', `[control]\nexecutable = ${fixture('hold.sh')}\n`);
  home.job('b', `[control]\nexecutable = ${fixture('hold.sh')}\n`);
  const worker = home.start('worker', ['--slots', '2'], {env: {FJD_WATCH_FAULT: 'EMFILE'}});
  const dispatcher = home.start('dispatcher', ['--quiet']);
  await waitUntil(
    () => home.ls('.').filter((name) => name.startsWith('started-')).length === 2,
    20_000,
    'both jobs to start',
  );
  expect((await home.run('recruiter', ['fire', '--now'])).exitCode).toBe(0);
  const result = await worker.result;
  expect(result.exitCode, result.stderr).toBe(0);
  const ids = home.ls('jobqueue');
  expect(ids).toEqual(['a', 'b']);
  for (const id of ids) {
    expect(home.record(id)).toMatchObject({state: 'requeued', attempts: [{reason: 'worker fired with --now'}]});
  }
  dispatcher.signal('SIGINT');
  await dispatcher.result;
}, 60_000);
