import fs from 'node:fs';
import path from 'node:path';
import {execa} from 'execa';
import {expect, it} from 'vitest';
import {BIN, REPO} from '../helpers/paths.js';
import {makeHome} from '../helpers/home.js';
import {processesMentioning} from '../helpers/processes.js';

it('runs the example end to end: ten jobs, a worker with four slots, ten results, nothing left running', async () => {
  const home = makeHome('example');
  for (const file of ['run-example.sh', 'create_jobs.mjs', 'ajob.mjs']) {
    fs.copyFileSync(path.join(REPO, 'example', file), path.join(home.dir, file));
  }
  const result = await execa('bash', [path.join(home.dir, 'run-example.sh')], {
    env: {...process.env, FJD_BIN: BIN, FJD_HOME: ''},
    reject: false,
    timeout: 90_000,
  });
  expect(result.exitCode, result.stderr).toBe(0);
  const lines = result.stdout.split('\n');
  expect(lines).toContain('Hired a worker with 4 slots on localhost.');
  expect(lines).toContain('Fired 1 worker (4 slots).');
  expect(lines).toContain('Dispatcher started.');
  expect(lines).toContain('No more jobs to dispatch.');
  expect(result.stdout).toMatch(/^Finished: 10, failed: 0, wall time [\d.]+ s\.$/m);
  for (let i = 0; i < 10; i++) {
    expect(home.read(`data/job${i}.dat`)).toBe(`param1: value${i}\n`);
  }
  expect(home.ls('done')).toEqual(['job0', 'job1', 'job2', 'job3', 'job4', 'job5', 'job6', 'job7', 'job8', 'job9']);
  expect(home.ls('failed')).toEqual([]);
  expect(home.ls('jobqueue')).toEqual([]);
  expect(home.ls('.fjd/workers')).toEqual([]);
  expect(processesMentioning(home.dir)).toEqual([]);
});
