// Crash points: a process killed right after each state change (FJD_CRASH_AT), then the home
// is repaired from the directories alone by the next dispatcher and workers.
import {describe, expect, it} from 'vitest';
import {makeHome, type TestHome} from '../helpers/home.js';
import {fixture} from '../helpers/fixtures.js';
import {waitUntil} from '../helpers/wait.js';

const JOBS = ['j1', 'j2', 'j3', 'j4', 'j5'];

function dropJobs(home: TestHome): void {
  for (const id of JOBS) home.job(id, `[control]\nexecutable = ${fixture('append-id.sh')}\n[params]\nid = ${id}\n`);
}

function runsPerJob(home: TestHome): Map<string, number> {
  const runs = new Map<string, number>();
  let text = '';
  try {
    text = home.read('ids.txt');
  } catch {
    // no job ran
  }
  for (const id of text.split('\n').filter(Boolean)) runs.set(id, (runs.get(id) ?? 0) + 1);
  return runs;
}

function expectEveryJobDoneOnce(home: TestHome, mayRunTwice: string[] = []): void {
  expect(home.ls('done')).toEqual(JOBS);
  expect(home.ls('failed')).toEqual([]);
  expect(home.ls('jobqueue')).toEqual([]);
  const runs = runsPerJob(home);
  for (const id of JOBS) {
    const allowed = mayRunTwice.includes(id) ? [1, 2] : [1];
    expect(allowed, `${id} ran ${runs.get(id) ?? 0} times`).toContain(runs.get(id) ?? 0);
    expect(home.record(id)).toMatchObject({id, state: 'finished', file: `done/${id}`});
  }
}

describe('the dispatcher killed right after a state change', () => {
  // create:opened@1 is the lock file, created but not yet written; @2 the first job's record.
  it.each(['create:opened@1', 'dispatch:locked', 'create:opened@2', 'assign:recorded', 'assign:moved'])(
    'at %s: the next dispatcher finishes the work, no job lost or run twice',
    async (point) => {
      const home = makeHome(`d-${point}`);
      dropJobs(home);
      await home.run('recruiter', ['hire', '2']);
      const crashed = await home.run('dispatcher', [], {env: {FJD_CRASH_AT: point}});
      expect(crashed.exitCode, 'killed by its crash point').toBe(-1);
      const result = await home.run('dispatcher', []);
      expect(result.exitCode, result.stdout + result.stderr).toBe(0);
      expectEveryJobDoneOnce(home);
    },
  );

  it('at recover:fenced (while recovering a lost worker): the next dispatcher completes the recovery', async () => {
    const home = makeHome('d-fenced');
    dropJobs(home);
    await home.run('recruiter', ['hire', '1'], {env: {FJD_CRASH_AT: 'run:started'}});
    const crashed = await home.run('dispatcher', [], {env: {FJD_CRASH_AT: 'recover:fenced'}});
    expect(crashed.exitCode).toBe(-1);
    await home.run('recruiter', ['hire', '2']);
    const result = await home.run('dispatcher', []);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expectEveryJobDoneOnce(home, ['j1']);
  });
});

describe('a worker killed right after a state change', () => {
  it.each([
    ['run:started', true],
    ['leave:staged', false],
    ['leave:linked', false],
    ['leave:recorded', false],
    ['leave:unlinked', false],
  ])('at %s: its job is recovered (run again: %s) and every job ends once', async (point, runsAgain) => {
    const home = makeHome(`w-${point}`);
    dropJobs(home);
    await home.run('recruiter', ['hire', '1'], {env: {FJD_CRASH_AT: point}});
    const dispatcher = home.start('dispatcher', []);
    await waitUntil(() => home.ls('.fjd/workers').length === 0, 20_000, 'the killed worker to be recovered');
    await home.run('recruiter', ['hire', '2']);
    const result = await dispatcher.result;
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expectEveryJobDoneOnce(home, runsAgain ? JOBS : []);
    if (runsAgain)
      expect(result.stdout).toMatch(
        /^Worker \S+ is gone \(its process is gone\); its jobs went back to the queue: j\d\.$/m,
      );
  });
});

it('a fired worker killed right after closing its pod (exit:closed) is cleaned up by fire', async () => {
  const home = makeHome('w-exit');
  home.job('late', `[control]\nexecutable = ${fixture('fail.sh')} 0\n`);
  await home.run('recruiter', ['hire', '1'], {env: {FJD_CRASH_AT: 'exit:closed'}});
  const fire = await home.run('recruiter', ['fire']);
  expect(fire).toMatchObject({
    exitCode: 0,
    stdout: expect.stringMatching(/^Fired 0 workers\.\nWorker \S+ was no longer running\.\n$/) as string,
  });
  expect(home.ls('.fjd/workers')).toEqual([]);
  expect(home.ls('workerqueue')).toEqual([]);
  expect(home.ls('jobqueue')).toEqual(['late']);
});
