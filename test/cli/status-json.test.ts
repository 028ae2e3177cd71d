// `fjd status --json` checked field by field against the schema the README documents, on a
// home with jobs in every state that real runs produce.
import fs from 'node:fs';
import path from 'node:path';
import {expect, it} from 'vitest';
import {makeHome} from '../helpers/home.js';
import {fixture} from '../helpers/fixtures.js';
import {waitUntil} from '../helpers/wait.js';
import {statusOf} from '../helpers/status.js';
import {STATUS_SCHEMA, readmeStatusSchema, schemaProblems, shownByHand} from '../helpers/status-schema.js';

it('fjd status --json follows the documented schema, with the rate, the ETA and how long jobs run', async () => {
  const home = makeHome('status-json');
  expect(schemaProblems(await statusOf(home), STATUS_SCHEMA).filter((p) => !p.endsWith('did not occur'))).toEqual([]);

  home.job('ok', `[control]\nexecutable = ${fixture('fail.sh')} 0\n`);
  home.job('broken', `[control]\nexecutable = ${fixture('fail.sh')} 4\n`);
  expect((await home.run('recruiter', ['hire', '1'])).exitCode).toBe(0);
  expect((await home.run('dispatcher', [])).exitCode).toBe(1);

  // A group limit in force: the held job is of that group, one of two allowed out.
  fs.writeFileSync(path.join(home.dir, 'limits'), 'gpu = 2\n');
  home.job('held', `[control]\nexecutable = ${fixture('hold.sh')}\ngroup = gpu\n`);
  home.job('waiting', `[control]\nexecutable = ${fixture('fail.sh')} 0\n`);
  const dispatcher = home.start('dispatcher', []);
  await waitUntil(() => fs.existsSync(path.join(home.dir, 'started-held')), 20_000, 'the held job to start');
  await waitUntil(async () => (await statusOf(home)).counts.running === 1, 10_000, 'fjd status to say running');

  const result = await home.run('fjd', ['status', '--json']);
  expect(result.exitCode).toBe(0);
  const report = JSON.parse(result.stdout) as unknown;
  // (Slurm jobs occur in test/remote/slurm.test.ts, polling processes in test/cli/inotify-limit.test.ts,
  // a starting worker, GPUs and jobs assigned and not started in test/cli/status-slots.test.ts.)
  expect(
    schemaProblems(report, STATUS_SCHEMA).filter(
      (p) => !p.startsWith('slurmJobs[]') && !p.startsWith('polling[]') && !shownByHand(p),
    ),
  ).toEqual([]);

  const status = await statusOf(home);
  expect(status.limits).toEqual([{group: 'gpu', limit: 2, out: 1}]);
  // Two jobs ended within the last seconds: the rate is taken over the minimum of 10 s.
  expect(status.rate.windowSeconds).toBeGreaterThanOrEqual(10);
  expect(status.rate.windowSeconds).toBeLessThan(300);
  expect(status.rate.jobsPerSecond).toBeCloseTo(2 / (status.rate.windowSeconds ?? 1), 6);
  const left = (status.counts.open ?? 0) + (status.counts.assigned ?? 0) + (status.counts.running ?? 0);
  expect(status.etaSeconds).toBeCloseTo(left / (status.rate.jobsPerSecond ?? 1), 6);
  const busy = status.workers.find((w) => w.state === 'busy');
  expect(busy?.jobRunningForMs).toBeGreaterThanOrEqual(0);
  expect(busy?.jobRunningForMs).toBeLessThan(120_000);

  const text = (await home.run('fjd', ['status'])).stdout;
  expect(text).toMatch(/^Rate: [\d.]+ jobs\/(s|min) over the last \d+ s; about \d+ (s|min) left for \d job/m);
  expect(text).toMatch(/^ {2}\S+ {2}\S+ {2}pid \d+ {2}busy {2}held for \d+ s$/m);
  expect(text).toMatch(/^Rate: .*\nLimits: gpu 1 of 2 out\nWorkers: 1; slots: 1 of 1 busy$/m);

  // One job's JSON: where it is and its record as stored.
  const held = JSON.parse((await home.run('fjd', ['status', 'held', '--json'])).stdout) as Record<string, unknown>;
  expect(held).toEqual({
    state: 'running',
    file: `.fjd/workers/${busy?.id ?? ''}/pod/held`,
    worker: busy?.id,
    record: home.record('held'),
    waiting: [],
  });
  const broken = JSON.parse((await home.run('fjd', ['status', 'failed/broken', '--json'])).stdout) as Record<
    string,
    unknown
  >;
  expect(broken).toEqual({
    state: 'failed',
    file: 'failed/broken',
    worker: null,
    record: home.record('broken'),
    waiting: [],
  });

  fs.writeFileSync(path.join(home.dir, 'release'), '');
  expect((await dispatcher.result).exitCode).toBe(0);
  const end = await statusOf(home);
  expect(schemaProblems(end, STATUS_SCHEMA).filter((p) => !p.endsWith('did not occur'))).toEqual([]);
  expect(end.etaSeconds).toBe(0);
  expect(end.workers[0]?.jobRunningForMs).toBeNull();
});

// The README and the code cannot drift apart: the table under "fjd status --json" is read and
// compared with the schema the real runs above are checked against.
it('the README documents exactly the schema that fjd status --json follows', () => {
  expect(readmeStatusSchema(), 'the README has no schema table under "### `fjd status --json`"').toBeDefined();
  expect(readmeStatusSchema()).toEqual(STATUS_SCHEMA);
});
