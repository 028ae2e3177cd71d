// Dynamic work: a running job submits new jobs into its own home (core4's divide and
// conquer); the dispatcher runs them all and exits only when the queue is empty and no job runs.
import fs from 'node:fs';
import path from 'node:path';
import {expect, it} from 'vitest';
import {makeHome, type TestHome} from '../helpers/home.js';
import {fixture} from '../helpers/fixtures.js';
import {waitUntil} from '../helpers/wait.js';

const CHILDREN = [...['a', 'b'].flatMap((wave) => [1, 2, 3, 4, 5].map((n) => `parent-${wave}-${n}`))].sort();

function expectAllChildrenRanOnce(home: TestHome): void {
  expect(home.ls('done')).toEqual(['parent', ...CHILDREN].sort());
  expect(home.ls('failed')).toEqual([]);
  expect(home.ls('jobqueue')).toEqual([]);
  const ids = home.read('ids.txt').split('\n').filter(Boolean).sort();
  expect(ids).toEqual(CHILDREN);
}

it('a job that submits ten child jobs while it runs: all of them run, once, before the dispatcher exits', async () => {
  const home = makeHome('dynamic');
  home.job('parent', `[control]\nexecutable = ${fixture('divide.sh')}\n`);
  await home.run('recruiter', ['hire', '2']);
  const result = await home.run('dispatcher', []);
  expect(result.exitCode, result.stdout + result.stderr).toBe(0);
  expect(result.stdout).toContain('Finished: 11, failed: 0');
  expectAllChildrenRanOnce(home);
});

it('the same after the dispatcher is killed while the dividing job runs', async () => {
  const home = makeHome('dynamic-restart');
  fs.writeFileSync(path.join(home.dir, 'gate'), '');
  home.job('parent', `[control]\nexecutable = ${fixture('divide.sh')}\n`);
  await home.run('recruiter', ['hire', '2']);
  const first = home.start('dispatcher', []);
  await waitUntil(() => fs.existsSync(path.join(home.dir, 'started-parent')), 20_000, 'the dividing job to start');
  first.signal('SIGKILL');
  expect((await first.result).exitCode).toBe(-1);
  fs.writeFileSync(path.join(home.dir, 'open-gate'), '');
  const result = await home.run('dispatcher', []);
  expect(result.exitCode, result.stdout + result.stderr).toBe(0);
  expectAllChildrenRanOnce(home);
});
