import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {makeHome} from '../helpers/home.js';
import {fixture} from '../helpers/fixtures.js';
import {isRunning as alive, processesMentioning, signalIfAlive} from '../helpers/processes.js';
import {AS_PLAIN_USER} from '../helpers/privileges.js';
import {statusOf} from '../helpers/status.js';
import {waitUntil} from '../helpers/wait.js';

describe('recruiter', () => {
  it('hires detached workers that announce themselves, and fires them without leaving a process', async () => {
    const home = makeHome('hire');
    const hire = await home.run('recruiter', ['hire', '3']);
    expect(hire).toMatchObject({exitCode: 0, stdout: 'Hired 3 workers on localhost.\n'});
    expect(home.ls('workerqueue')).toHaveLength(3);
    const status = await statusOf(home);
    expect(status.workers.map((w) => w.state)).toEqual(['idle', 'idle', 'idle']);
    const pids = status.workers.map((w) => w.pid);
    for (const pid of pids) expect(alive(pid)).toBe(true);
    // Their own session: a worker leads its session and its process group.
    for (const pid of pids) {
      const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      expect(Number(fields[3]), 'session id').toBe(pid);
    }
    expect(home.ls('.fjd/logs').filter((f) => f.startsWith('worker-'))).toHaveLength(3);

    const fire = await home.run('recruiter', ['fire']);
    expect(fire).toMatchObject({exitCode: 0, stdout: 'Fired 3 workers.\n'});
    for (const pid of pids) expect(alive(pid)).toBe(false);
    expect(home.ls('workerqueue')).toEqual([]);
    expect(home.ls('.fjd/workers')).toEqual([]);
    expect(processesMentioning(home.dir)).toEqual([]);

    const again = await home.run('recruiter', ['fire']);
    expect(again).toMatchObject({exitCode: 0, stdout: 'Fired 0 workers.\n'});
  });

  it('hires CPUs minus one workers by default, at least one', async () => {
    const home = makeHome('default');
    const {availableParallelism} = await import('node:os');
    const expected = Math.max(1, availableParallelism() - 1);
    const hire = await home.run('fjd', ['hire']);
    expect(hire.stdout).toBe(`Hired ${expected} worker${expected === 1 ? '' : 's'} on localhost.\n`);
    expect((await home.run('fjd', ['fire'])).exitCode).toBe(0);
  });

  it('fire lets a busy worker finish its job first, and says so in one sentence; the job ends in done/', async () => {
    const home = makeHome('drain');
    home.job('long', `[control]\nexecutable = ${fixture('hold.sh')}\n`);
    await home.run('recruiter', ['hire', '2']);
    const dispatcher = home.start('dispatcher', []);
    await waitUntil(() => fs.existsSync(path.join(home.dir, 'started-long')), 20_000, 'the job to start');
    const busy = (await statusOf(home)).workers.find((w) => w.state === 'busy')?.id ?? '';
    const fire = await home.run('recruiter', ['fire']);
    expect(fire).toMatchObject({
      exitCode: 0,
      stdout: `Fired 2 workers: 1 has left, 1 leaves after its job (${busy}: long); use --now to stop it now, or --wait to wait.\n`,
    });
    const worker = await statusOf(home);
    expect(worker.workers).toMatchObject([{state: 'busy', job: 'long'}]);
    fs.writeFileSync(path.join(home.dir, 'release'), '');
    const result = await dispatcher.result;
    expect(result.exitCode).toBe(0);
    expect(home.ls('done')).toEqual(['long']);
    await waitUntil(() => processesMentioning(home.dir).length === 0, 20_000, 'the worker to leave after its job');
    expect(home.ls('.fjd/workers')).toEqual([]);
  });

  it('fire --now stops the running job and its children and puts the job back in jobqueue/', async () => {
    const home = makeHome('now');
    const text = `[control]\nexecutable = ${fixture('hold.sh')}\n`;
    home.job('held.ini', text);
    await home.run('recruiter', ['hire', '1']);
    const dispatcher = home.start('dispatcher', []);
    await waitUntil(() => fs.existsSync(path.join(home.dir, 'started-held.ini')), 20_000, 'the job to start');
    const child = Number(home.read('child-held.ini.pid'));
    expect(alive(child)).toBe(true);
    const fire = await home.run('recruiter', ['fire', '--now']);
    expect(fire).toMatchObject({exitCode: 0, stdout: 'Fired 1 worker.\n'});
    await waitUntil(() => !alive(child), 5_000, `the job's child ${child} to end`);
    expect(home.ls('jobqueue')).toEqual(['held.ini']);
    expect(home.read('jobqueue/held.ini')).toBe(text);
    const record = home.record('held.ini');
    expect(record).toMatchObject({state: 'requeued', requeuedAs: 'held.ini'});
    expect(record.attempts).toMatchObject([{outcome: 'requeued', reason: 'worker fired with --now'}]);

    // The job was not lost: a new worker runs it to the end, under the same id and record.
    fs.writeFileSync(path.join(home.dir, 'release'), '');
    await home.run('recruiter', ['hire', '1']);
    const result = await dispatcher.result;
    expect(result.exitCode, result.stdout).toBe(0);
    expect(home.ls('done')).toEqual(['held.ini']);
    expect(home.record('held.ini')).toMatchObject({
      state: 'finished',
      attempts: [{outcome: 'requeued'}, {outcome: 'finished'}],
    });
  });

  it('a worker killed with SIGTERM puts its job back and leaves', async () => {
    const home = makeHome('term');
    home.job('t', `[control]\nexecutable = ${fixture('hold.sh')}\n`);
    await home.run('recruiter', ['hire', '1']);
    const dispatcher = home.start('dispatcher', ['--watch']);
    await waitUntil(() => fs.existsSync(path.join(home.dir, 'started-t')), 20_000, 'the job to start');
    const status = await statusOf(home);
    const pid = status.workers[0]?.pid ?? 0;
    signalIfAlive(pid, 'SIGTERM');
    await waitUntil(() => !alive(pid), 20_000, 'the worker to leave');
    expect(home.ls('jobqueue')).toEqual(['t']);
    expect(home.record('t')).toMatchObject({state: 'requeued', attempts: [{reason: 'worker received SIGTERM'}]});
    dispatcher.signal('SIGINT');
    const stopped = await dispatcher.result;
    expect(stopped.exitCode).toBe(130);
    // Its only worker has left: nothing to fire.
    expect(stopped.stdout).not.toContain('The workers are still there');
  });

  it('says clearly when a worker cannot start, and why', async () => {
    const home = makeHome('nostart');
    fs.mkdirSync(path.join(home.dir, 'workerqueue'), {mode: 0o555});
    // Root writes anywhere; without the capability to, it obeys modes as any user does.
    const wrap = AS_PLAIN_USER;
    const result = await home.run('recruiter', ['hire', '1'], {wrap});
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toMatch(
      /^recruiter: error: a new worker stopped before it announced itself \(exit code 3\):\n/,
    );
    expect(result.stderr).toMatch(/EACCES/);
    expect(result.stderr).toMatch(/Its log is .*\.fjd\/logs\/worker-/);
  });

  it('rejects a worker count that is not a whole number, with exit code 2', async () => {
    const home = makeHome('usage');
    const result = await home.run('recruiter', ['hire', 'many']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('N must be a whole number of at least 1.');
  });
});
