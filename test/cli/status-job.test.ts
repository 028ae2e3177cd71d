// `fjd status JOB` (one job's whole record) and `fjd status --watch`, as a user types them.
import fs from 'node:fs';
import path from 'node:path';
import {expect, it} from 'vitest';
import {makeHome, type TestHome} from '../helpers/home.js';
import {statusOf} from '../helpers/status.js';
import {fixture} from '../helpers/fixtures.js';
import {waitUntil} from '../helpers/wait.js';
import {STATUS_SCHEMA, schemaProblems} from '../helpers/status-schema.js';

it('fjd status JOB shows every attempt, how each ended, the worker and the tail of stderr', async () => {
  const home = makeHome('status-job');
  home.job('flaky', `[control]\nexecutable = ${fixture('fail.sh')} 5\nretries = 1\n`);
  home.job('ok', `[control]\nexecutable = ${fixture('fail.sh')} 0\n`);
  expect((await home.run('recruiter', ['hire', '1'])).exitCode).toBe(0);
  expect((await home.run('dispatcher', [])).exitCode).toBe(1);
  const worker = home.ls('.fjd/workers')[0] ?? '';

  const result = await home.run('fjd', ['status', 'flaky']);
  expect(result.exitCode).toBe(0);
  const lines = result.stdout.split('\n');
  expect(lines.slice(0, 5)).toEqual([
    'Job:     flaky (id flaky)',
    'State:   failed',
    'File:    failed/flaky',
    'Reason:  exit code 5',
    expect.stringMatching(new RegExp(`^Worker:  ${worker} \\(host \\S+, pid \\d+\\), the last to hold it$`)),
  ]);
  expect(result.stdout).toContain(`Command: ${fixture('fail.sh')} 5 `);
  expect(result.stdout).toContain(`Workdir: ${home.dir}\n`);
  expect(result.stdout).toContain('Attempts: 2\n');
  for (const n of [1, 2]) {
    expect(result.stdout).toMatch(
      new RegExp(
        `^  ${n}  failed  worker ${worker}  host \\S+  pid \\d+  started \\S+Z  took \\d+ ms  exit code 5$`,
        'm',
      ),
    );
  }
  expect(result.stdout).toContain(
    'Stderr of attempt 2, last 10 lines (.fjd/output/flaky.2.err):\n  trouble in flaky\n',
  );

  // The same name submitted again: the newest is shown, and the other ids are listed.
  home.job('ok', `[control]\nexecutable = ${fixture('fail.sh')} 0\n`);
  expect((await home.run('dispatcher', [])).exitCode).toBe(0);
  const again = (await home.run('fjd', ['status', 'ok'])).stdout;
  expect(again).toMatch(
    /^Job: {5}ok \(id ok~2\)\n {9}\(the newest of 2 jobs of that name; the others: ok\)\nState: {3}finished\nFile: {4}done\/ok~2\n/,
  );
  // An id, or a path relative to the home, names one job exactly.
  expect((await home.run('fjd', ['status', 'done/ok'])).stdout).toMatch(/^Job: {5}ok \(id ok\)\nState: {3}finished\n/);
  expect((await home.run('fjd', ['status', 'ok~2'])).stdout).toContain('File:    done/ok~2\n');
  const json = await home.run('fjd', ['status', 'ok', '--json']);
  expect(JSON.parse(json.stdout)).toEqual({
    state: 'finished',
    file: 'done/ok~2',
    worker: null,
    record: home.record('ok~2'),
    waiting: [],
  });
  expect(json.stderr).toBe('fjd: this is the newest job named ok; the others: ok\n');

  // An open job that was never assigned has no record yet.
  home.job('later', `[control]\nexecutable = ${fixture('fail.sh')} 0\n`);
  expect((await home.run('fjd', ['status', 'later'])).stdout).toBe(
    'Job:     later\nState:   open\nFile:    jobqueue/later\nWaiting: for a dispatcher: none runs on this home (start one with: dispatcher)\n' +
      'Record:  none yet (a job gets its record when it is assigned to a worker)\n',
  );

  // A failed job put back in the queue keeps its record and its attempts.
  expect((await home.run('fjd', ['retry', 'flaky'])).exitCode).toBe(0);
  for (const ref of ['flaky', 'jobqueue/flaky']) {
    const back = (await home.run('fjd', ['status', ref])).stdout;
    expect(back).toMatch(/^Job: {5}flaky \(id flaky\)\nState: {3}open\nFile: {4}jobqueue\/flaky\n/);
    expect(back).toContain('Attempts: 2\n');
  }
  expect(await home.run('fjd', ['logs', 'flaky'])).toEqual({
    exitCode: 0,
    stdout: 'out of flaky\n',
    stderr: 'trouble in flaky\n',
  });

  const unknown = await home.run('fjd', ['status', 'nothing-like-it']);
  expect(unknown.exitCode).toBe(3);
  expect(unknown.stdout).toBe('');
  expect(unknown.stderr).toBe(
    `fjd: error: no job "nothing-like-it" in ${home.dir}\nfjd: Run fjd status to list the jobs (fjd status --json lists every one with its id).\n`,
  );
});

it('fjd status --watch prints the status again each interval until Ctrl-C, and exits 0', async () => {
  const home = makeHome('status-watch');
  const watch = home.start('fjd', ['status', '--watch', '200ms']);
  await waitUntil(() => watch.output().split('Home: ').length > 2, 20_000, 'two blocks of output');
  watch.signal('SIGINT');
  const result = await watch.result;
  expect(result.exitCode).toBe(0);
  const block = `Home: ${home.dir}\nJobs: 0 open, 0 assigned, 0 running, 0 finished, 0 failed\nRate: no job ended in the last 5 minutes\nWorkers: none (hire some with: recruiter hire)\n`;
  const blocks = result.stdout.split('\n\n');
  expect(blocks.length).toBeGreaterThanOrEqual(2);
  // Not on a terminal: no escape sequences, each block after a blank line.
  expect(result.stdout).not.toContain('\x1b');
  for (const b of blocks) expect(`${b.trimEnd()}\n`).toBe(block);
  expect(result.stderr).toBe('');
});

it('fjd status --watch --json prints one JSON document per line, and SIGTERM ends it with 0', async () => {
  const home = makeHome('status-watch-json');
  home.job('a', `[control]\nexecutable = ${fixture('fail.sh')} 0\n`);
  const watch = home.start('fjd', ['status', '--watch', '200ms', '--json']);
  await waitUntil(() => watch.output().split('\n').length > 2, 20_000, 'two lines of output');
  watch.signal('SIGTERM');
  const result = await watch.result;
  expect(result.exitCode).toBe(0);
  const lines = result.stdout.trimEnd().split('\n');
  expect(lines.length).toBeGreaterThanOrEqual(2);
  for (const line of lines) {
    const report = JSON.parse(line) as {counts: {open: number}};
    expect(report.counts.open).toBe(1);
    expect(schemaProblems(report, STATUS_SCHEMA).filter((p) => !p.endsWith('did not occur'))).toEqual([]);
  }
});

// What `fjd status JOB --json` says an open job waits for.
async function waitingOf(home: TestHome, ref: string): Promise<unknown> {
  const result = await home.run('fjd', ['status', ref, '--json']);
  expect(result.exitCode, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as {waiting: unknown}).waiting;
}

it('a job held by a limit of 0 says so in fjd status JOB and --json, and the dispatcher warns of the limit at its start', async () => {
  const home = makeHome('status-limit-0');
  home.job('train', `[control]\nexecutable = ${fixture('fail.sh')} 0\ngroup = gpu\n`);
  await home.run('recruiter', ['hire', '1']);
  const dispatcher = home.start('dispatcher', ['--limit', 'gpu=0']);
  await waitUntil(() => dispatcher.output().includes('Found 1 new job'), 20_000, 'the dispatcher to find the job');
  expect(dispatcher.output()).toContain(
    'dispatcher: warning: group gpu has a limit of 0 (--limit gpu=0): none of its jobs runs until the limit is raised\n',
  );
  const text = (await home.run('fjd', ['status', 'train'])).stdout;
  expect(text).toBe(
    'Job:     train\nState:   open\nFile:    jobqueue/train\n' +
      'Held:    by the limit of group gpu (a limit of 0, which never lets it run: raise it with --limit gpu=N or in the limits file)\n' +
      'Record:  none yet (a job gets its record when it is assigned to a worker)\n',
  );
  expect(await waitingOf(home, 'train')).toEqual([{kind: 'limit', group: 'gpu', limit: 0, out: 0}]);
  expect((await statusOf(home)).limits).toEqual([{group: 'gpu', limit: 0, out: 0}]);
  // A limit of 0 set by the limits file while it runs is warned of too.
  fs.writeFileSync(path.join(home.dir, 'limits'), 'big = 0\n');
  await waitUntil(
    () => dispatcher.output().includes('group big has a limit of 0'),
    20_000,
    'the warning of the limits file',
  );
  expect(dispatcher.output()).toContain(
    `dispatcher: warning: group big has a limit of 0 (the limits file ${path.join(home.dir, 'limits')}): none of its jobs runs until the limit is raised\n`,
  );
  dispatcher.signal('SIGINT');
  expect((await dispatcher.result).exitCode).toBe(130);
  expect(home.ls('jobqueue')).toEqual(['train']);
});

it("a job held by its group's limit says how many of the group are out: 1 of 1", async () => {
  const home = makeHome('status-limit-1');
  fs.writeFileSync(path.join(home.dir, 'limits'), 'gpu = 1\n');
  for (const name of ['g1', 'g2']) home.job(name, `[control]\nexecutable = ${fixture('hold.sh')}\ngroup = gpu\n`);
  await home.run('recruiter', ['hire', '2']);
  const dispatcher = home.start('dispatcher', []);
  await waitUntil(() => home.ls('.').some((name) => name.startsWith('started-')), 20_000, 'a job to start');
  const held = home.ls('.').includes('started-g1') ? 'g2' : 'g1';
  const text = (await home.run('fjd', ['status', held])).stdout;
  expect(text).toContain(`File:    jobqueue/${held}\nHeld:    by the limit of group gpu (1 of 1 out)\n`);
  expect(text).not.toContain('Waiting:');
  expect(await waitingOf(home, held)).toEqual([{kind: 'limit', group: 'gpu', limit: 1, out: 1}]);
  expect((await home.run('fjd', ['status'])).stdout).toContain('\nLimits: gpu 1 of 1 out\n');
  fs.writeFileSync(path.join(home.dir, 'release'), '');
  expect((await dispatcher.result).exitCode).toBe(0);
  expect(home.ls('done')).toEqual(['g1', 'g2']);
});

it('an open job says when it waits for a dispatcher, or for a worker: none hired, or all busy', async () => {
  const home = makeHome('status-worker');
  home.job('first', `[control]\nexecutable = ${fixture('hold.sh')}\n`);
  home.job('second', `[control]\nexecutable = ${fixture('fail.sh')} 0\npriority = -1\n`);
  expect((await home.run('fjd', ['status', 'second'])).stdout).toContain(
    '\nWaiting: for a dispatcher: none runs on this home (start one with: dispatcher)\n',
  );
  expect(await waitingOf(home, 'second')).toEqual([{kind: 'dispatcher'}]);

  const dispatcher = home.start('dispatcher', []);
  await waitUntil(
    () => dispatcher.output().includes('no worker has announced itself'),
    20_000,
    'the dispatcher to wait for workers',
  );
  expect((await home.run('fjd', ['status', 'second'])).stdout).toContain(
    '\nWaiting: for a worker: none is hired (hire some with: recruiter hire)\n',
  );
  expect(await waitingOf(home, 'second')).toEqual([{kind: 'worker', workers: 0, busy: 0}]);

  await home.run('recruiter', ['hire', '1']);
  await waitUntil(() => home.ls('.').includes('started-first'), 20_000, 'the first job to start');
  expect((await home.run('fjd', ['status', 'second'])).stdout).toContain(
    '\nWaiting: for a worker: the worker is busy\n',
  );
  expect(await waitingOf(home, 'second')).toEqual([{kind: 'worker', workers: 1, busy: 1}]);
  fs.writeFileSync(path.join(home.dir, 'release'), '');
  expect((await dispatcher.result).exitCode).toBe(0);
});

it('fjd status JOB quotes the command as a shell would need it, and says that a job which ended unrun never ran, and why', async () => {
  const home = makeHome('status-never');
  home.job('spaced', `[control]\nexecutable = ${fixture('fail.sh')} 0 'b c.txt'\npass_job_file = no\n`);
  home.job('first', `[control]\nexecutable = ${fixture('fail.sh')} 1\n`);
  home.job('second', `[control]\nexecutable = ${fixture('fail.sh')} 0\nafter = first\n`);
  home.job('third', `[control]\nexecutable = ${fixture('fail.sh')} 0\n`);
  expect((await home.run('fjd', ['cancel', 'third'])).exitCode).toBe(0);
  expect((await home.run('recruiter', ['hire', '1'])).exitCode).toBe(0);
  expect((await home.run('dispatcher', ['--fire-when-done'])).exitCode).toBe(1);

  expect((await home.run('fjd', ['status', 'spaced'])).stdout).toContain(
    `\nCommand: ${fixture('fail.sh')} 0 'b c.txt'\n`,
  );
  expect(await home.run('fjd', ['status', 'second'])).toEqual({
    exitCode: 0,
    stdout:
      'Job:     second (id second)\nState:   failed\nFile:    failed/second\nReason:  dependency first failed\nRan:     never: it failed before a worker took it (dependency first failed)\n',
    stderr: '',
  });
  expect((await home.run('fjd', ['status', 'third'])).stdout).toBe(
    'Job:     third (id third)\nState:   failed\nFile:    failed/third\nReason:  cancelled\nRan:     never: it failed before a worker took it (cancelled)\n',
  );
});

it('fjd status --watch --json 200ms takes 200ms for the interval, as --watch 200ms --json does', async () => {
  const home = makeHome('status-watch-late');
  home.job('a', `[control]\nexecutable = ${fixture('fail.sh')} 0\n`);
  const watch = home.start('fjd', ['status', '--watch', '--json', '200ms']);
  await waitUntil(() => watch.output().split('\n').length > 2, 20_000, 'two lines of output');
  watch.signal('SIGTERM');
  const result = await watch.result;
  expect(result).toMatchObject({exitCode: 0, stderr: ''});
  const lines = result.stdout.trimEnd().split('\n');
  expect(lines.length).toBeGreaterThanOrEqual(2);
  for (const line of lines) expect((JSON.parse(line) as {counts: {open: number}}).counts.open).toBe(1);
});
