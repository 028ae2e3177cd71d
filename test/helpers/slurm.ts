// A real single-node Slurm cluster for the tests: munged with its own key and socket, then
// slurmctld and slurmd in the foreground, each in its own process group, on free ports, with
// a slurm.conf, state, spool, pid and log files in a directory of their own. Clients reach it
// through SLURM_CONF, which is set in this process's environment (and so passed on to every
// command a test runs). Where it cannot start, `startSlurm` says why instead.
import {spawn, spawnSync, type ChildProcess} from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {TEST_ROOT} from './paths.js';
import {signalIfAlive} from './processes.js';
import {waitUntil} from './wait.js';

export interface SlurmCluster {
  dir: string;
  conf: string;
  node: string;
  // The environment a Slurm client needs.
  env: NodeJS.ProcessEnv;
  // Runs a Slurm client command (squeue, scancel …) against this cluster.
  client(command: string, args: string[]): {status: number | null; stdout: string; stderr: string};
  stop(): Promise<void>;
}

// How many tasks one node runs at once: more than this machine's cores, so that a hire of a
// few workers never waits for resources (the workers mostly wait on files).
export const SLURM_CPUS = 8;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function missing(): string | undefined {
  for (const tool of ['munged', 'mungekey', 'slurmctld', 'slurmd', 'sbatch', 'srun', 'squeue', 'scancel', 'scontrol']) {
    const found = spawnSync('sh', ['-c', `command -v ${tool} || test -x /usr/sbin/${tool}`]).status === 0;
    if (!found) return `${tool} is not installed (Debian packages slurm-wlm and munge; see .ci/install-engines)`;
  }
  if (process.getuid?.() !== 0) return 'slurmd must run as root to start jobs, and these tests do not run as root';
  return undefined;
}

function daemon(command: string, args: string[], log: string): ChildProcess {
  const fd = fs.openSync(log, 'a');
  try {
    return spawn(command, args, {detached: true, stdio: ['ignore', fd, fd]});
  } finally {
    fs.closeSync(fd);
  }
}

function sbin(tool: string): string {
  return fs.existsSync(`/usr/sbin/${tool}`) ? `/usr/sbin/${tool}` : tool;
}

function tail(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-8).join('\n');
  } catch {
    return '(no log)';
  }
}

// Starts the cluster, or returns why it cannot start (to skip with).
export async function startSlurm(label: string): Promise<SlurmCluster | string> {
  const why = missing();
  if (why !== undefined) return why;
  fs.mkdirSync(TEST_ROOT, {recursive: true});
  const dir = fs.mkdtempSync(path.join(TEST_ROOT, `slurm-${label}-`));
  const mungeDir = path.join(dir, 'munge');
  fs.mkdirSync(mungeDir, {mode: 0o755});
  fs.chmodSync(mungeDir, 0o755);
  for (const sub of ['state', 'spool']) fs.mkdirSync(path.join(dir, sub));
  const key = path.join(dir, 'munge.key');
  const socket = path.join(mungeDir, 'munge.socket.2');
  const node = os.hostname();
  const started: ChildProcess[] = [];
  const env = {...process.env, SLURM_CONF: path.join(dir, 'slurm.conf')};
  const client = (command: string, args: string[]) => {
    const r = spawnSync(command, args, {env, encoding: 'utf8', timeout: 20_000});
    return {status: r.status, stdout: r.stdout, stderr: r.stderr};
  };
  const stop = async (): Promise<void> => {
    // Jobs first (their steps are children of slurmd), then the daemons, newest first.
    if (started.length === 3) {
      client('scancel', ['--full', `--user=${os.userInfo().username}`]);
      await waitUntil(
        () => client('squeue', ['--noheader']).stdout.trim() === '',
        20_000,
        'the Slurm jobs to end',
      ).catch(() => undefined);
    }
    for (const child of started.reverse()) {
      if (child.pid === undefined) continue;
      if (!signalIfAlive(-child.pid, 'SIGTERM')) continue;
      const gone = new Promise<void>((resolve) =>
        child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve()),
      );
      const {pid} = child;
      const timer = setTimeout(() => signalIfAlive(-pid, 'SIGKILL'), 5000);
      await gone;
      clearTimeout(timer);
    }
    delete process.env.SLURM_CONF;
  };
  try {
    const keyed = spawnSync(sbin('mungekey'), ['--create', `--keyfile=${key}`], {encoding: 'utf8'});
    if (keyed.status !== 0) return `mungekey failed: ${keyed.stderr}`;
    const munged = daemon(
      sbin('munged'),
      [
        '--foreground',
        '--force',
        `--key-file=${key}`,
        `--socket=${socket}`,
        `--pid-file=${path.join(dir, 'munged.pid')}`,
        `--log-file=${path.join(dir, 'munged.log')}`,
        `--seed-file=${path.join(dir, 'munged.seed')}`,
      ],
      path.join(dir, 'munged.out'),
    );
    started.push(munged);
    await waitUntil(() => fs.existsSync(socket) || munged.exitCode !== null, 10_000, 'munged to create its socket');
    if (munged.exitCode !== null) return `munged did not start:\n${tail(path.join(dir, 'munged.log'))}`;
    const [ctldPort, slurmdPort] = [await freePort(), await freePort()];
    const conf = [
      'ClusterName=fjdtest',
      `SlurmctldHost=${node}(127.0.0.1)`,
      'SlurmUser=root',
      'SlurmdUser=root',
      'AuthType=auth/munge',
      'CredType=cred/munge',
      `AuthInfo=socket=${socket}`,
      `SlurmctldPort=${ctldPort}`,
      `SlurmdPort=${slurmdPort}`,
      `StateSaveLocation=${path.join(dir, 'state')}`,
      `SlurmdSpoolDir=${path.join(dir, 'spool')}`,
      `SlurmctldPidFile=${path.join(dir, 'slurmctld.pid')}`,
      `SlurmdPidFile=${path.join(dir, 'slurmd.pid')}`,
      `SlurmctldLogFile=${path.join(dir, 'slurmctld.log')}`,
      `SlurmdLogFile=${path.join(dir, 'slurmd.log')}`,
      'ProctrackType=proctrack/linuxproc',
      'TaskPlugin=task/none',
      'SelectType=select/cons_tres',
      'SelectTypeParameters=CR_CPU',
      'SlurmdParameters=config_overrides',
      'AccountingStorageType=accounting_storage/none',
      'JobAcctGatherType=jobacct_gather/none',
      'JobCompType=jobcomp/none',
      'MpiDefault=none',
      'ReturnToService=2',
      // The time between TERM and KILL when a job is cancelled or its time is up.
      'KillWait=10',
      `NodeName=${node} NodeAddr=127.0.0.1 CPUs=${SLURM_CPUS} State=UNKNOWN`,
      `PartitionName=debug Nodes=${node} Default=YES MaxTime=INFINITE State=UP`,
      '',
    ].join('\n');
    fs.writeFileSync(env.SLURM_CONF, conf);
    started.push(daemon(sbin('slurmctld'), ['-D', '-i', '-f', env.SLURM_CONF], path.join(dir, 'slurmctld.out')));
    started.push(daemon(sbin('slurmd'), ['-D', '-f', env.SLURM_CONF], path.join(dir, 'slurmd.out')));
    try {
      await waitUntil(
        () => {
          for (const child of started) if (child.exitCode !== null) throw new Error('a daemon exited');
          return /^idle/m.test(client('sinfo', ['--noheader', '--format=%T']).stdout);
        },
        20_000,
        'the Slurm node to be idle',
      );
    } catch (error) {
      const logs = ['slurmctld', 'slurmd']
        .map((d) => `${d}:\n${tail(path.join(dir, `${d}.log`))}\n${tail(path.join(dir, `${d}.out`))}`)
        .join('\n');
      await stop();
      return `Slurm did not start (${(error as Error).message}):\n${logs}`;
    }
    process.env.SLURM_CONF = env.SLURM_CONF;
    return {dir, conf: env.SLURM_CONF, node, env, client, stop};
  } catch (error) {
    await stop();
    return `Slurm did not start: ${(error as Error).message}`;
  }
}
