// Workers on other hosts over SSH, on the real engines: OpenSSH servers in their own UTS and
// mount namespaces (node-a, node-b), each seeing the homes through its own bindfs mount with
// NFS-like caching (test/helpers/ssh-hosts.ts). A host's `workers` are the slots of the one
// worker process started there. The dispatcher runs here, on the backing directory, or on
// node-a's mount while the workers run on node-b's.
import fs from 'node:fs';
import path from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {makeHome, type TestHome} from '../helpers/home.js';
import {fixture} from '../helpers/fixtures.js';
import {REPO} from '../helpers/paths.js';
import {isRunning, killMentioning, processesMentioning, signalIfAlive} from '../helpers/processes.js';
import {sshHostsUnavailable, startSshHosts, type SshHosts} from '../helpers/ssh-hosts.js';
import {statusOf} from '../helpers/status.js';
import {waitUntil} from '../helpers/wait.js';

if (sshHostsUnavailable !== undefined) console.warn(`skipping the SSH tests: ${sshHostsUnavailable}`);

const HOSTS_FILE = '[host1]\nname = node-a\nworkers = 2\n\n[host2]\nname = node-b\nworkers = 2\n';

describe.skipIf(sshHostsUnavailable !== undefined)('workers on other hosts over SSH', () => {
  let hosts: SshHosts;
  const homes: TestHome[] = [];
  // Processes a test froze, woken before anything is fired.
  const frozen = new Set<number>();

  beforeAll(async () => {
    hosts = await startSshHosts(['node-a', 'node-b']);
  });

  afterAll(async () => {
    await hosts?.stop();
  });

  // Before the home's own cleanup: wake what a test froze, fire every host's workers (the
  // request reaches them through their mounts), and kill what is left as a fallback.
  afterEach(async () => {
    for (const pid of frozen) signalIfAlive(pid, 'SIGCONT');
    frozen.clear();
    for (const home of homes.splice(0)) {
      if (processesMentioning(home.dir).length === 0) continue;
      await home.run('recruiter', ['fire', '--now', '--timeout', '20']);
      await waitUntil(() => processesMentioning(home.dir).length === 0, 10_000, 'the workers to leave').catch(() =>
        killMentioning(home.dir),
      );
    }
  });

  function sshHome(label: string): TestHome {
    const home = makeHome(label);
    homes.push(home);
    return home;
  }

  // Jobs that each append their id to ids.txt, after `pause` seconds if given.
  function queueShortJobs(home: TestHome, count: number, pause?: number): string[] {
    const ids: string[] = [];
    const executable = pause === undefined ? fixture('short-job.sh') : `sleep ${pause}; ${fixture('short-job.sh')}`;
    for (let i = 0; i < count; i++) {
      const id = `job-${String(i).padStart(3, '0')}`;
      ids.push(id);
      home.job(id, `[control]\nexecutable = ${executable}\n\n[params]\nid = ${id}\n`);
    }
    return ids;
  }

  it('hires one worker with `workers` slots on each of two hosts, runs 200 jobs once each, and fires on every host', async () => {
    const home = sshHome('ssh-200');
    fs.writeFileSync(path.join(home.dir, 'hosts'), HOSTS_FILE);
    const ids = queueShortJobs(home, 200);
    const hire = await home.run('recruiter', ['hire', '--hosts', '--ssh', hosts.ssh, '--heartbeat', '1s']);
    expect(hire, hire.stderr).toMatchObject({
      exitCode: 0,
      stdout: 'Hired a worker with 2 slots on node-a.\nHired a worker with 2 slots on node-b.\n',
      stderr: '',
    });

    // One process on each host (each in that host's UTS namespace, by the name it registered).
    const status = await statusOf(home);
    expect(status.workers.map((w) => w.host).sort()).toEqual(['node-a', 'node-b']);
    expect(
      processesMentioning(home.dir).filter((p) => p.command.includes('dist/cli/worker.js') && isRunning(p.pid)),
    ).toHaveLength(2);
    for (const id of home.ls('.fjd/workers')) {
      const info = JSON.parse(home.read(`.fjd/workers/${id}/info.json`)) as {capacity: {slots: number}};
      expect(info.capacity.slots).toBe(2);
    }
    const text = (await home.run('fjd', ['status'])).stdout;
    expect(text).toMatch(
      /^Workers: 2 on 2 hosts; slots: 0 of 4 busy\n {2}node-a-\d+ {2}node-a {2}pid \d+ {2}idle {2}0 of 2 slots busy; free: 2 cpus, [\d.]+[KMGT] memory\n {2}node-b-\d+ {2}node-b {2}pid \d+ {2}idle {2}0 of 2 slots busy; free: 2 cpus, [\d.]+[KMGT] memory\n/m,
    );

    const result = await home.run('dispatcher', ['--quiet', '--lease', '10s', '--heartbeat', '1s']);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Finished: 200, failed: 0, wall time [\d.]+ s\.$/m);
    expect(home.read('ids.txt').trim().split('\n').sort()).toEqual(ids);
    expect(home.ls('done')).toEqual(ids);
    const ranOn = new Set<string>();
    for (const id of ids) {
      const record = home.record(id) as {state: string; attempts: {outcome: string; host: string}[]};
      expect(record.state).toBe('finished');
      expect(record.attempts).toHaveLength(1);
      ranOn.add(record.attempts[0]?.host ?? '');
    }
    expect([...ranOn].sort()).toEqual(['node-a', 'node-b']);

    const pids = status.workers.map((w) => w.pid);
    const fire = await home.run('recruiter', ['fire', '--wait']);
    expect(fire).toMatchObject({exitCode: 0, stdout: 'Fired 2 workers (4 slots): 1 on node-a, 1 on node-b.\n'});
    // A worker has left the home (what fire --wait waits for) a moment before its process exits.
    await waitUntil(() => pids.every((pid) => !isRunning(pid)), 10_000, 'the fired workers to exit');
    expect(home.ls('.fjd/workers')).toEqual([]);
    expect(processesMentioning(home.dir)).toEqual([]);
  });

  it('recovers the jobs of a frozen host within the lease: none lost, only those running there run twice', async () => {
    const home = sshHome('ssh-freeze');
    fs.writeFileSync(path.join(home.dir, 'hosts'), HOSTS_FILE);
    const ids = queueShortJobs(home, 40, 0.2);
    const hire = await home.run('recruiter', ['hire', '--ssh', hosts.ssh, '--heartbeat', '250ms']);
    expect(hire.stdout).toBe(
      `Hiring on the hosts of ${path.join(home.dir, 'hosts')} (--local-only hires on this machine only).\nHired a worker with 2 slots on node-a.\nHired a worker with 2 slots on node-b.\n`,
    );
    const workers = (await statusOf(home)).workers;
    const onA = workers.filter((w) => w.host === 'node-a');
    const lease = 2000;
    const dispatcher = home.start('dispatcher', ['--lease', `${lease}ms`, '--heartbeat', '250ms']);
    // The processes of the jobs that node-a runs, by their environment.
    const jobsOnA = (): number[] =>
      processesMentioning(home.dir)
        .filter((p) => {
          try {
            const env = fs.readFileSync(`/proc/${p.pid}/environ`, 'utf8');
            return onA.some((w) => env.includes(`FJD_WORKER=${w.id}\0`));
          } catch {
            return false;
          }
        })
        .map((p) => p.pid);
    await waitUntil(
      () => home.ls('done').length >= 6 && jobsOnA().length > 0,
      30_000,
      '6 jobs to finish and one to run on node-a',
    );
    // Freeze node-a: its workers first, then the jobs they run.
    const frozenAt = performance.now();
    for (const pid of [...onA.map((w) => w.pid), ...jobsOnA()]) {
      frozen.add(pid);
      signalIfAlive(pid, 'SIGSTOP');
    }
    const frozenStatus = await statusOf(home);
    const heldByA = frozenStatus.jobs.filter((j) => onA.some((w) => w.id === j.worker)).map((j) => j.id ?? j.name);
    // How long a job on another host has run comes from the file server's times, not our clock.
    for (const w of frozenStatus.workers.filter((w) => w.jobStartedAt !== null)) {
      expect(w.jobRunningForMs).toBeGreaterThanOrEqual(0);
      expect(w.jobRunningForMs).toBeLessThan(30_000);
    }
    // Within the lease and a rescan or two, node-a's workers are presumed lost and their jobs
    // are back in the queue (the recovery removes a lost worker's directory last).
    await waitUntil(
      () => onA.every((w) => !fs.existsSync(path.join(home.dir, '.fjd', 'workers', w.id))),
      lease + 8000,
      "node-a's workers to be found lost",
    );
    const recoveredAfter = performance.now() - frozenAt;
    expect(recoveredAfter).toBeLessThan(lease + 3000);
    const result = await dispatcher.result;
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Finished: 40, failed: 0, wall time [\d.]+ s\.$/m);
    for (const w of onA)
      expect(result.stdout).toMatch(new RegExp(`^Worker ${w.id} is gone \\(no heartbeat for 2 s\\)`, 'm'));
    expect(home.ls('done')).toEqual(ids);
    // Only the jobs that node-a held have a lost attempt, and only they ran more than once.
    const lost = ids.filter((id) =>
      (home.record(id) as {attempts: {outcome: string}[]}).attempts.some((a) => a.outcome === 'lost'),
    );
    expect(lost.length).toBeGreaterThan(0);
    expect(heldByA).toEqual(expect.arrayContaining(lost));
    for (const id of ids) {
      const record = home.record(id) as {state: string; attempts: {outcome: string; host: string}[]};
      expect(record.state).toBe('finished');
      expect(record.attempts.filter((a) => a.outcome === 'finished')).toHaveLength(1);
      if (lost.includes(id))
        expect(record.attempts.filter((a) => a.outcome === 'lost').map((a) => a.host)).toEqual(['node-a']);
      else expect(record.attempts).toHaveLength(1);
    }
    const runs = home.read('ids.txt').trim().split('\n');
    const twice = [...new Set(runs.filter((id, i) => runs.indexOf(id) !== i))];
    expect(lost).toEqual(expect.arrayContaining(twice));
    expect(new Set(runs)).toEqual(new Set(ids));

    // Woken, node-a's workers find their pods gone and leave; node-b's are fired.
    for (const pid of frozen) signalIfAlive(pid, 'SIGCONT');
    frozen.clear();
    await waitUntil(() => onA.every((w) => !isRunning(w.pid)), 15_000, "node-a's woken workers to leave");
    const fire = await home.run('recruiter', ['fire']);
    expect(fire).toMatchObject({exitCode: 0, stdout: 'Fired 1 worker (2 slots): 1 on node-b.\n'});
  });

  it('reports an unreachable host with the ssh error, hires on the others, and exits non-zero', async () => {
    const home = sshHome('ssh-unreachable');
    fs.writeFileSync(
      path.join(home.dir, 'hosts'),
      `[host1]\nname = node-a\nworkers = 1\n\n[host2]\nname = node-b\nworkers = 1\nssh = -p ${hosts.closedPort}\n`,
    );
    // The ssh command from the environment this time.
    const hire = await home.run('recruiter', ['hire', '--hosts'], {env: {FJD_SSH: hosts.ssh}});
    expect(hire.exitCode).toBe(3);
    expect(hire.stdout).toBe('Hired a worker with 1 slot on node-a.\n');
    expect(hire.stderr).toContain(
      `recruiter: node-b: could not hire: ssh: connect to host 127.0.0.1 port ${hosts.closedPort}: Connection refused\n`,
    );
    expect(hire.stderr).toContain('recruiter: 1 of 2 hosts failed; the others keep their workers.\n');
    expect(hire.stderr).toContain('check that `ssh node-b true` works without a password prompt');
    expect((await statusOf(home)).workers.map((w) => w.host)).toEqual(['node-a']);
    const fire = await home.run('fjd', ['fire']);
    expect(fire).toMatchObject({exitCode: 0, stdout: 'Fired 1 worker: 1 on node-a.\n'});
  });

  it('completes a run with the dispatcher on mount A (node-a) and the workers on mount B (node-b)', async () => {
    const home = sshHome('ssh-mounts');
    const file = path.join(home.dir, 'only-b.conf');
    fs.writeFileSync(file, '[b]\nname = node-b\nslots = 2\n');
    const ids = queueShortJobs(home, 24);
    const hire = await home.run('fjd', [
      'hire',
      '--hosts',
      file,
      '--ssh',
      hosts.ssh,
      '--heartbeat',
      '1s',
      '--memory',
      '1G',
    ]);
    expect(hire).toMatchObject({exitCode: 0, stdout: 'Hired a worker with 2 slots on node-b.\n'});
    // `slots` says what `workers` does; --memory reaches the worker over ssh.
    const [id = ''] = home.ls('.fjd/workers');
    expect(JSON.parse(home.read(`.fjd/workers/${id}/info.json`))).toMatchObject({
      host: 'node-b',
      capacity: {slots: 2, cpus: 2, memoryBytes: 1024 ** 3},
    });
    const dispatcher = path.join(REPO, 'dist', 'cli', 'dispatcher.js');
    const result = await hosts.run(
      'node-a',
      `cd '${home.dir}' && exec '${process.execPath}' '${dispatcher}' --home '${home.dir}' --lease 10s --heartbeat 1s --rescan 200ms`,
    );
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Finished: 24, failed: 0, wall time [\d.]+ s\.$/m);
    // Records that workers on mount B rewrote are read whole on mount A: no job was taken for
    // one put back in the queue.
    expect(result.stdout).not.toContain('went back to the queue');
    expect(home.ls('done')).toEqual(ids);
    expect(home.read('ids.txt').trim().split('\n').sort()).toEqual(ids);
    for (const id of ids)
      expect(home.record(id)).toMatchObject({state: 'finished', attempts: [{outcome: 'finished', host: 'node-b'}]});
    const fire = await home.run('recruiter', ['fire', '--wait']);
    expect(fire).toMatchObject({exitCode: 0, stdout: 'Fired 1 worker (2 slots): 1 on node-b.\n'});
  });

  it('a dispatcher on another mount watches a live lock of node-a change, and refuses to start', async () => {
    const home = sshHome('ssh-lock');
    fs.mkdirSync(path.join(home.dir, '.fjd', 'tmp'), {recursive: true});
    // The lock of a dispatcher on node-a, renewed here as it would renew it: a new file renamed
    // over the old one, its beat changed (and, from 9 to 10, one character longer).
    const lockFile = path.join(home.dir, '.fjd', 'dispatcher.lock');
    const lock = (beat: number): void => {
      const content = {
        token: 'feedbeef',
        host: 'node-a',
        pid: 4242,
        procStart: null,
        startedAt: new Date().toISOString(),
        beat,
      };
      fs.writeFileSync(`${lockFile}.new`, `${JSON.stringify(content)}\n`);
      fs.renameSync(`${lockFile}.new`, lockFile);
    };
    lock(9);
    const dispatcher = path.join(REPO, 'dist', 'cli', 'dispatcher.js');
    const second = hosts.start(
      'node-b',
      `cd '${home.dir}' && exec '${process.execPath}' '${dispatcher}' --home '${home.dir}' --lease 4s --heartbeat 1s`,
    );
    await waitUntil(
      () => second.output().includes('watching its lock'),
      15_000,
      'the dispatcher on node-b to watch the lock',
    );
    // No flock and no event crosses mounts: node-b sees the beat change by reading the file.
    lock(10);
    const result = await second.result;
    expect(result.exitCode, result.stdout + result.stderr).toBe(3);
    expect(result.stderr).toContain(
      'dispatcher: error: another dispatcher is working on this home: pid 4242 on node-a',
    );
    expect(JSON.parse(fs.readFileSync(lockFile, 'utf8'))).toMatchObject({token: 'feedbeef', beat: 10});
    fs.rmSync(lockFile);
  });
});
