import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {makeHome} from '../helpers/home.js';
import {fixture} from '../helpers/fixtures.js';
import {waitUntil} from '../helpers/wait.js';
import {isRunning, signalIfAlive} from '../helpers/processes.js';
import {statusOf} from '../helpers/status.js';
import {hireOneSlotWorkers} from '../helpers/hire.js';

describe('dispatching', () => {
  it('runs 200 jobs on a worker with 4 slots: every job exactly once, every file in done/', async () => {
    const home = makeHome('many');
    const ids: string[] = [];
    for (let i = 0; i < 200; i++) {
      const id = `job-${String(i).padStart(3, '0')}`;
      ids.push(id);
      home.job(id, `[control]\nexecutable = ${fixture('append-id.sh')}\n\n[params]\nid = ${id}\n`);
    }
    expect((await home.run('recruiter', ['hire', '4'])).stdout).toBe('Hired a worker with 4 slots on localhost.\n');
    const result = await home.run('dispatcher', []);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Finished: 200, failed: 0, wall time [\d.]+ s\.$/m);
    const seen = home.read('ids.txt').trim().split('\n').sort();
    expect(seen).toEqual(ids);
    expect(home.ls('done')).toEqual(ids);
    expect(home.ls('failed')).toEqual([]);
    expect(home.ls('jobqueue')).toEqual([]);
    const fire = await home.run('recruiter', ['fire']);
    expect(fire.stdout).toBe('Fired 1 worker (4 slots).\n');
  });

  it('keeps every job file byte for byte, and records its outcome, output and worker', async () => {
    const home = makeHome('records');
    const text = `; keep me\r\n[control]\r\nexecutable: ${fixture('fail.sh')} 0\r\n[params]\r\nx = 1\r\n`;
    home.job('keep.ini', text);
    home.job('bad.ini', `[control]\nexecutable = ${fixture('fail.sh')} 3\n`);
    await home.run('recruiter', ['hire', '1']);
    const result = await home.run('dispatcher', []);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('Job bad.ini failed: exit code 3');
    expect(result.stdout).toMatch(/^Finished: 1, failed: 1, /m);
    expect(home.read('done/keep.ini')).toBe(text);
    const ok = home.record('keep.ini');
    expect(ok).toMatchObject({
      id: 'keep.ini',
      name: 'keep.ini',
      state: 'finished',
      exitCode: 0,
      signal: null,
      reason: null,
      file: 'done/keep.ini',
    });
    expect(home.read(ok.stdout as string)).toBe('out of keep.ini\n');
    expect(home.read(ok.stderr as string)).toBe('trouble in keep.ini\n');
    const bad = home.record('bad.ini');
    expect(bad).toMatchObject({state: 'failed', exitCode: 3, reason: 'exit code 3', file: 'failed/bad.ini'});
    const attempts = bad.attempts as Record<string, unknown>[];
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({attempt: 1, exitCode: 3, outcome: 'failed', host: expect.any(String) as string});
    for (const key of ['worker', 'host', 'startedAt', 'endedAt', 'durationMs']) expect(bad[key]).not.toBeNull();
    expect(home.ls('failed')).toEqual(['bad.ini']);
  });

  it('takes jobs, workers and the dispatcher in any order, and jobs dropped while it runs', async () => {
    const home = makeHome('order');
    home.job('first', `[control]\nexecutable = ${fixture('hold.sh')}\n`);
    const dispatcher = home.run('dispatcher', []);
    await waitUntil(() => fs.existsSync(path.join(home.dir, '.fjd')), 10_000, 'the dispatcher to create the home');
    await hireOneSlotWorkers(home, 2);
    await waitUntil(() => fs.existsSync(path.join(home.dir, 'started-first')), 20_000, 'the first job to start');
    home.job('second', `[control]\nexecutable = ${fixture('fail.sh')} 0\n`);
    await waitUntil(() => home.ls('done').includes('second'), 20_000, 'the job dropped later to finish');
    fs.writeFileSync(path.join(home.dir, 'release'), '');
    const result = await dispatcher;
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /^1 job is waiting, but no worker has announced itself\. Hire some with: recruiter hire$/m,
    );
    expect(home.ls('done')).toEqual(['first', 'second']);
  });

  it('restarted while its workers are busy, says that the jobs wait for them, and does not advise hiring', async () => {
    const home = makeHome('busy-restart');
    for (const n of [1, 2, 3, 4]) home.job(`h${n}`, `[control]\nexecutable = ${fixture('hold.sh')}\n`);
    await hireOneSlotWorkers(home, 2);
    const first = home.start('dispatcher', []);
    await waitUntil(
      () => home.ls('.').filter((name) => name.startsWith('started-')).length === 2,
      30_000,
      'two jobs to start',
    );
    first.signal('SIGINT');
    expect((await first.result).exitCode).toBe(130);
    const second = home.start('dispatcher', []);
    await waitUntil(() => second.output().includes('waiting'), 20_000, 'the dispatcher to say why the jobs wait');
    fs.writeFileSync(path.join(home.dir, 'release'), '');
    const result = await second.result;
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /^2 jobs are waiting: the 2 workers are busy; the jobs go out as they become free\.$/m,
    );
    expect(result.stdout).not.toContain('recruiter hire');
    expect(home.ls('done')).toEqual(['h1', 'h2', 'h3', 'h4']);
  });

  it('gives a repeated name its own id, so nothing is overwritten', async () => {
    const home = makeHome('repeat');
    await home.run('recruiter', ['hire', '1']);
    for (let round = 1; round <= 3; round++) {
      home.job('same.ini', `[control]\nexecutable = ${fixture('fail.sh')} 0\n# round ${round}\n`);
      expect((await home.run('dispatcher', [])).exitCode).toBe(0);
    }
    home.job('plain', `[control]\nexecutable = ${fixture('fail.sh')} 0\n`);
    home.job('plain~2', `[control]\nexecutable = ${fixture('fail.sh')} 0\n# mine\n`);
    expect((await home.run('dispatcher', [])).exitCode).toBe(0);
    home.job('plain', `[control]\nexecutable = ${fixture('fail.sh')} 0\n# again\n`);
    expect((await home.run('dispatcher', [])).exitCode).toBe(0);
    expect(home.ls('done')).toEqual(['plain', 'plain~2', 'plain~3', 'same.ini', 'same~2.ini', 'same~3.ini']);
    expect(home.read('done/same~3.ini')).toContain('# round 3');
    expect(home.read('done/plain~2')).toContain('# mine');
    expect(home.read('done/plain~3')).toContain('# again');
    expect(home.record('same~2.ini')).toMatchObject({name: 'same.ini', file: 'done/same~2.ini'});
  });

  it('passes the job file as one argument, whatever its name: spaces, quotes, $(…), non-ASCII', async () => {
    const home = makeHome('names');
    const names = [
      'with space.ini',
      `it's "quoted"`,
      '$(touch injected)',
      'Übergrößenträger-日本語.ini',
      '; rm -rf x',
      '-rf',
    ];
    for (const name of names) home.job(name, `[control]\nexecutable = node ${fixture('record-argv.mjs')} --flag\n`);
    home.job('shell form', `[control]\nexecutable = node ${fixture('record-argv.mjs')} --via-shell 2>&1\n`);
    await home.run('recruiter', ['hire', '2']);
    const result = await home.run('dispatcher', []);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    for (const name of [...names, 'shell form']) {
      const seen = JSON.parse(home.read(`seen/${encodeURIComponent(name)}.json`)) as {
        argv: string[];
        cwd: string;
        name: string;
      };
      expect(seen.argv.at(-1)).toMatch(new RegExp(`/pod/${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
      expect(seen.argv).toHaveLength(2);
      expect(seen.cwd).toBe(home.dir);
      expect(seen.name).toBe(name);
    }
    expect(fs.existsSync(path.join(home.dir, 'injected'))).toBe(false);
    expect(home.ls('done')).toEqual([...names, 'shell form'].sort());
  });

  it('runs jobs in [control] workdir, resolves relative paths there, and creates the logfile and its directories', async () => {
    const home = makeHome('workdir');
    fs.mkdirSync(path.join(home.dir, 'proj', 'bin'), {recursive: true});
    fs.copyFileSync(fixture('fail.sh'), path.join(home.dir, 'proj', 'bin', 'run.sh'));
    fs.chmodSync(path.join(home.dir, 'proj', 'bin', 'run.sh'), 0o755);
    home.job('in-proj', '[control]\nworkdir = proj\nexecutable = bin/run.sh 0\nlogfile = out/deep/result.dat\n');
    home.job('in-home', `[control]\nexecutable = node ${fixture('record-argv.mjs')}\nlogfile = data/r.dat\n`);
    await home.run('recruiter', ['hire', '1']);
    const result = await home.run('dispatcher', []);
    expect(result.exitCode, result.stdout).toBe(0);
    expect(fs.existsSync(path.join(home.dir, 'proj', 'out', 'deep', 'result.dat'))).toBe(true);
    expect(fs.existsSync(path.join(home.dir, 'data', 'r.dat'))).toBe(true);
    expect(home.record('in-proj')).toMatchObject({workdir: path.join(home.dir, 'proj'), state: 'finished'});
  });

  it('exits 3 with a clear message when the home cannot be used', async () => {
    const home = makeHome('nohome');
    const file = path.join(home.dir, 'a-file');
    fs.writeFileSync(file, '');
    const result = await home.run('dispatcher', ['--home', file]);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain(`dispatcher: error: cannot create ${file}`);
    expect(result.stderr).toMatch(/not a directory .*choose another home/i);
  });
});

describe('the end of a run', () => {
  it("a resumed run counts its own ends, and adds the home's totals when they differ", async () => {
    const home = makeHome('resumed');
    home.job('a', `[control]\nexecutable = ${fixture('fail.sh')} 0\n`);
    home.job('b', `[control]\nexecutable = ${fixture('fail.sh')} 3\n`);
    await home.run('recruiter', ['hire', '1']);
    const first = await home.run('dispatcher', []);
    expect(first.exitCode).toBe(1);
    // Its counts are the home's: nothing more to say.
    expect(first.stdout).toMatch(/^Finished: 1, failed: 1, wall time [\d.]+ s\.\nFailed jobs: b /m);
    expect(first.stdout).not.toContain('In the home');

    home.job('c', `[control]\nexecutable = ${fixture('fail.sh')} 0\n`);
    home.job('d', `[control]\nexecutable = ${fixture('fail.sh')} 0\n`);
    // Cancelled while no dispatcher runs: in failed/, and told (and counted once) by the next.
    home.job('e', `[control]\nexecutable = ${fixture('fail.sh')} 0\n`);
    expect((await home.run('fjd', ['cancel', 'e'])).exitCode).toBe(0);
    const second = await home.run('dispatcher', []);
    expect(second.exitCode).toBe(1);
    expect(second.stdout).toMatch(
      /^Finished: 2, failed: 1, wall time [\d.]+ s\.\nIn the home: 3 finished, 2 failed, 0 still open\.\n/m,
    );
    expect(home.ls('done')).toEqual(['a', 'c', 'd']);
    expect(home.ls('failed')).toEqual(['b', 'e']);
  });

  it('a run stopped with Ctrl-C says how many jobs of the home are still open', async () => {
    const home = makeHome('stopped');
    home.job('done-before', `[control]\nexecutable = ${fixture('fail.sh')} 0\n`);
    await home.run('recruiter', ['hire', '1']);
    expect((await home.run('dispatcher', [])).exitCode).toBe(0);
    home.job('held', `[control]\nexecutable = ${fixture('hold.sh')}\n`);
    home.job('next', `[control]\nexecutable = ${fixture('fail.sh')} 0\n`);
    const dispatcher = home.start('dispatcher', []);
    await waitUntil(() => fs.existsSync(path.join(home.dir, 'started-held')), 20_000, 'the held job to start');
    dispatcher.signal('SIGINT');
    const result = await dispatcher.result;
    expect(result.exitCode).toBe(130);
    expect(result.stdout).toMatch(
      /^Finished: 0, failed: 0, wall time [\d.]+ s\.\nIn the home: 1 finished, 0 failed, 2 still open\.\n/m,
    );
    fs.writeFileSync(path.join(home.dir, 'release'), '');
  });

  it('--fire-when-done fires the workers once the queue is done', async () => {
    const home = makeHome('firedone');
    home.job('x', `[control]\nexecutable = ${fixture('fail.sh')} 0\n`);
    await home.run('recruiter', ['hire', '2']);
    const result = await home.run('fjd', ['dispatch', '--fire-when-done']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(
      /No more jobs to dispatch\.\nFinished: 1, failed: 0, wall time [\d.]+ s\.\nFired 1 worker\.\n$/,
    );
    expect(home.ls('.fjd/workers')).toEqual([]);
  });

  it("a worker killed with SIGKILL: its job and the job's processes are stopped, and the job runs again elsewhere", async () => {
    const home = makeHome('killed');
    home.job('victim', `[control]\nexecutable = ${fixture('hold.sh')}\n`);
    await home.run('recruiter', ['hire', '1']);
    const dispatcher = home.start('dispatcher', []);
    await waitUntil(() => fs.existsSync(path.join(home.dir, 'started-victim')), 20_000, 'the job to start');
    const child = Number(home.read('child-victim.pid'));
    const status = await statusOf(home);
    fs.rmSync(path.join(home.dir, 'started-victim'));
    signalIfAlive(status.workers[0]?.pid, 'SIGKILL');
    await home.run('recruiter', ['hire', '1']);
    await waitUntil(() => fs.existsSync(path.join(home.dir, 'started-victim')), 20_000, 'the job to start again');
    expect(isRunning(child), 'the first run of the job was stopped').toBe(false);
    fs.writeFileSync(path.join(home.dir, 'release'), '');
    const result = await dispatcher.result;
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.stdout).toMatch(
      /^Worker \S+ is gone \(its process is gone\); its jobs went back to the queue: victim\.$/m,
    );
    expect(home.ls('done')).toEqual(['victim']);
    const record = home.record('victim');
    expect(record).toMatchObject({
      state: 'finished',
      attempts: [{outcome: 'lost', reason: 'worker lost (its process is gone)'}, {outcome: 'finished'}],
    });
  });
});
