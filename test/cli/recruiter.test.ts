import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {makeHome, type TestHome} from '../helpers/home.js';
import {fixture} from '../helpers/fixtures.js';
import {isRunning as alive, processesMentioning, signalIfAlive} from '../helpers/processes.js';
import {AS_PLAIN_USER} from '../helpers/privileges.js';
import {statusOf} from '../helpers/status.js';
import {waitUntil} from '../helpers/wait.js';

// The worker processes of a test home that are running (not zombies), by their command line.
function workerProcesses(dir: string): number[] {
  return processesMentioning(dir)
    .filter((p) => p.command.includes('dist/cli/worker.js') && alive(p.pid))
    .map((p) => p.pid);
}

// The capacity each worker registered with, by its info.json.
function capacities(home: TestHome): Record<string, unknown>[] {
  return home
    .ls('.fjd/workers')
    .map(
      (id) => (JSON.parse(home.read(`.fjd/workers/${id}/info.json`)) as {capacity: Record<string, unknown>}).capacity,
    );
}

describe('recruiter', () => {
  it('hires one detached worker process with N slots, and fires it without leaving a process', async () => {
    const home = makeHome('hire');
    const hire = await home.run('recruiter', ['hire', '3']);
    expect(hire).toMatchObject({exitCode: 0, stdout: 'Hired a worker with 3 slots on localhost.\n', stderr: ''});
    const pids = workerProcesses(home.dir);
    expect(pids).toHaveLength(1);
    expect(home.ls('workerqueue')).toHaveLength(1);
    expect(capacities(home)).toMatchObject([{slots: 3, cpus: 3}]);
    const status = await statusOf(home);
    expect(status.workers.map((w) => [w.pid, w.state])).toEqual([[pids[0], 'idle']]);
    // Its own session: a worker leads its session and its process group.
    for (const pid of pids) {
      const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      expect(Number(fields[3]), 'session id').toBe(pid);
    }
    expect(home.ls('.fjd/logs').filter((f) => f.startsWith('worker-'))).toHaveLength(1);

    const fire = await home.run('recruiter', ['fire']);
    expect(fire).toMatchObject({exitCode: 0, stdout: 'Fired 1 worker (3 slots).\n'});
    for (const pid of pids) expect(alive(pid)).toBe(false);
    expect(home.ls('workerqueue')).toEqual([]);
    expect(home.ls('.fjd/workers')).toEqual([]);
    expect(processesMentioning(home.dir)).toEqual([]);

    const again = await home.run('recruiter', ['fire']);
    expect(again).toMatchObject({exitCode: 0, stdout: 'Fired 0 workers.\n'});
  });

  it('starts another process for another hire on the same host; both run jobs', async () => {
    const home = makeHome('two-hires');
    for (const name of ['a', 'b', 'c', 'd']) home.job(name, `[control]\nexecutable = ${fixture('record-id.sh')}\n`);
    expect((await home.run('recruiter', ['hire', '2'])).stdout).toBe('Hired a worker with 2 slots on localhost.\n');
    expect((await home.run('fjd', ['hire', '1'])).stdout).toBe('Hired a worker with 1 slot on localhost.\n');
    expect(workerProcesses(home.dir)).toHaveLength(2);
    expect(
      capacities(home)
        .map((c) => c.slots)
        .sort(),
    ).toEqual([1, 2]);
    const run = await home.run('dispatcher', []);
    expect(run.exitCode, run.stdout).toBe(0);
    expect(home.ls('done')).toEqual(['a', 'b', 'c', 'd']);
    expect(await home.run('recruiter', ['fire'])).toMatchObject({exitCode: 0, stdout: 'Fired 2 workers (3 slots).\n'});
    expect(processesMentioning(home.dir)).toEqual([]);
  });

  it('passes --cpus, --memory and --gpus on to the worker, whose info.json says them', async () => {
    const home = makeHome('capacity');
    const hire = await home.run('recruiter', ['hire', '2', '--cpus', '4', '--memory', '3G', '--gpus', '1, 3']);
    expect(hire).toMatchObject({exitCode: 0, stdout: 'Hired a worker with 2 slots on localhost.\n'});
    expect(capacities(home)).toEqual([{slots: 2, cpus: 4, memoryBytes: 3 * 1024 ** 3, gpus: ['1', '3']}]);
    expect((await home.run('recruiter', ['fire'])).exitCode).toBe(0);

    const bad = await home.run('recruiter', ['hire', '2', '--memory', 'lots']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('--memory must be a size such as 64G, 512M or 2T');
    const twice = await home.run('recruiter', ['hire', '2', '--gpus', '0,0']);
    expect(twice.exitCode).toBe(2);
    expect(twice.stderr).toContain('--gpus names GPU 0 twice');
    expect(workerProcesses(home.dir)).toEqual([]);
  });

  it('hires a worker with the CPUs minus one as slots by default, at least one', async () => {
    const home = makeHome('default');
    const {availableParallelism} = await import('node:os');
    const expected = Math.max(1, availableParallelism() - 1);
    const hire = await home.run('fjd', ['hire']);
    expect(hire.stdout).toBe(`Hired a worker with ${expected} slot${expected === 1 ? '' : 's'} on localhost.\n`);
    expect(capacities(home)).toMatchObject([{slots: expected}]);
    expect((await home.run('fjd', ['fire'])).exitCode).toBe(0);
  });

  it('says so when it hires beside workers of an earlier fjd (no capacity in their info.json)', async () => {
    const home = makeHome('earlier');
    await home.run('recruiter', ['hire', '1']);
    const [old = ''] = home.ls('.fjd/workers');
    const infoFile = path.join(home.dir, '.fjd', 'workers', old, 'info.json');
    const info = JSON.parse(fs.readFileSync(infoFile, 'utf8')) as Record<string, unknown>;
    delete info.capacity;
    fs.writeFileSync(infoFile, `${JSON.stringify(info)}\n`);
    const hire = await home.run('recruiter', ['hire', '2']);
    expect(hire).toMatchObject({
      exitCode: 0,
      stdout: 'Hired a worker with 2 slots on localhost.\n',
      stderr: `recruiter: note: this home also has 1 worker of an earlier fjd (${old}), which runs one job at a time beside the new one; to have only new workers, run recruiter fire --wait, then hire again\n`,
    });
    expect(await home.run('recruiter', ['fire'])).toMatchObject({exitCode: 0, stdout: 'Fired 2 workers (3 slots).\n'});
    // With none left, a hire says nothing of them.
    expect((await home.run('recruiter', ['hire', '1'])).stderr).toBe('');
    expect((await home.run('recruiter', ['fire'])).exitCode).toBe(0);
  });

  it('fire lets a busy worker finish its job first, and says so in one sentence; the job ends in done/', async () => {
    const home = makeHome('drain');
    home.job('long', `[control]\nexecutable = ${fixture('hold.sh')}\n`);
    await home.run('recruiter', ['hire', '1']);
    await home.run('recruiter', ['hire', '1']);
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

  it('fire lets a worker with several slots finish its job, and says so without "0 have left"', async () => {
    const home = makeHome('drain-slots');
    home.job('long', `[control]\nexecutable = ${fixture('hold.sh')}\n`);
    await home.run('recruiter', ['hire', '2']);
    const dispatcher = home.start('dispatcher', []);
    await waitUntil(() => fs.existsSync(path.join(home.dir, 'started-long')), 20_000, 'the job to start');
    const [worker = ''] = home.ls('.fjd/workers');
    const fire = await home.run('recruiter', ['fire']);
    expect(fire).toMatchObject({
      exitCode: 0,
      stdout: `Fired 1 worker (2 slots): 1 leaves after its job (${worker}: long); use --now to stop it now, or --wait to wait.\n`,
    });
    fs.writeFileSync(path.join(home.dir, 'release'), '');
    expect((await dispatcher.result).exitCode).toBe(0);
    expect(home.ls('done')).toEqual(['long']);
    await waitUntil(() => processesMentioning(home.dir).length === 0, 20_000, 'the worker to leave after its job');
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

  it('rejects a slot count that is not a whole number, with exit code 2', async () => {
    const home = makeHome('usage');
    const result = await home.run('recruiter', ['hire', 'many']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('N must be a whole number of at least 1.');
  });
});
