// With more workers on a host than inotify instances, some workers poll their pod and start a
// job handed to them only at their next look (up to a heartbeat when idle). The dispatcher
// gives a job to an idle worker that sees it at once before one that polls.
import {expect, it} from 'vitest';
import {makeHome} from '../helpers/home.js';
import {fixture} from '../helpers/fixtures.js';
import {statusOf} from '../helpers/status.js';
import {waitUntil} from '../helpers/wait.js';

it('hands jobs to an idle worker that watches before an idle one that polls', async (ctx) => {
  const home = makeHome('prefer-watching');
  const dispatcher = home.start('dispatcher', ['--watch', '--rescan', '200ms']);
  // The polling worker announces itself first, so it comes first among the dispatcher's workers.
  expect((await home.run('recruiter', ['hire', '1'], {env: {FJD_WATCH_FAULT: 'EMFILE'}})).exitCode).toBe(0);
  await waitUntil(async () => (await statusOf(home)).workers.length === 1, 10_000, 'the polling worker to register');
  const polling = (await statusOf(home)).workers[0]?.id ?? '';
  expect((await home.run('recruiter', ['hire', '1'])).exitCode).toBe(0);
  await waitUntil(
    async () => (await statusOf(home)).workers.filter((w) => w.state === 'idle').length === 2,
    10_000,
    'both workers to be idle',
  );
  const status = await statusOf(home);
  const watching = status.workers.find((w) => w.id !== polling)?.id ?? '';
  if (status.polling.some((p) => p.worker === watching)) {
    // Every inotify instance of this user is in use (other tests, other programs): the second
    // worker polls too, and there is no watching worker to prefer.
    console.log(
      'skipped: the second worker could not get an inotify instance either (the per-user limit is reached on this machine)',
    );
    dispatcher.signal('SIGINT');
    await dispatcher.result;
    await home.run('recruiter', ['fire']);
    ctx.skip();
  }
  for (const n of [1, 2, 3, 4, 5]) {
    home.job(`j${n}`, `[control]\nexecutable = ${fixture('mark.sh')}\n`);
    await waitUntil(() => home.ls('done').includes(`j${n}`), 20_000, `j${n} to finish`);
    // Idle again: its job is recorded and it has announced itself (until then it holds a job).
    await waitUntil(() => home.ls('workerqueue').length === 2, 20_000, 'both workers to announce themselves again');
  }
  const ranOn = [1, 2, 3, 4, 5].map((n) => home.record(`j${n}`).worker);
  expect(ranOn).toEqual(Array(5).fill(watching));
  dispatcher.signal('SIGINT');
  await dispatcher.result;
  expect((await home.run('recruiter', ['fire'])).exitCode).toBe(0);
});
