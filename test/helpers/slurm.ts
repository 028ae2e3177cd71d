// A real Slurm cluster for the tests: munged with its own key and socket, then slurmctld and
// one slurmd per node in the foreground, each in its own process group, on free ports, with a
// slurm.conf, state, spool, pid and log files in a directory of their own. Its nodes all run
// on this machine (the first named as this host, the others NAME-2 …, each slurmd on its own
// port), so that a job can span nodes. Clients reach it through SLURM_CONF, which is set in
// this process's environment (and so passed on to every command a test runs). Where it
// cannot start, `startSlurm` says why instead.
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
  // The first node (named as this host), and all of them.
  node: string;
  nodes: string[];
  // The environment a Slurm client needs.
  env: NodeJS.ProcessEnv;
  // Runs a Slurm client command (squeue, scancel …) against this cluster.
  client(command: string, args: string[]): {status: number | null; stdout: string; stderr: string};
  stop(): Promise<void>;
}

// How many CPUs each node offers: more than this machine's cores, so that a hire of a few
// slots never waits for resources (the workers mostly wait on files).
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
// `nodes`: how many nodes; `gpus`: how many GPUs each node has, as Slurm's gres/gpu (each
// a character device of the test's own, standing for /dev/nvidiaN; no CUDA behind it), and
// `memoryMb` its memory as Slurm counts it.
export interface SlurmShape {
  nodes?: number;
  gpus?: number;
  memoryMb?: number;
}

export async function startSlurm(label: string, shape: SlurmShape = {}): Promise<SlurmCluster | string> {
  const nodeCount = shape.nodes ?? 1;
  const gpus = shape.gpus ?? 0;
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
  const nodes = [node, ...Array.from({length: nodeCount - 1}, (_, i) => `${node}-${i + 2}`)];
  const started: ChildProcess[] = [];
  const env = {...process.env, SLURM_CONF: path.join(dir, 'slurm.conf')};
  const client = (command: string, args: string[]) => {
    const r = spawnSync(command, args, {env, encoding: 'utf8', timeout: 20_000});
    return {status: r.status, stdout: r.stdout, stderr: r.stderr};
  };
  const stop = async (): Promise<void> => {
    // Jobs first (their steps are children of slurmd), then the daemons, newest first.
    if (started.length === 2 + nodes.length) {
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
    const ctldPort = await freePort();
    const slurmdPorts: number[] = [];
    for (let i = 0; i < nodes.length; i++) slurmdPorts.push(await freePort());
    const conf = [
      'ClusterName=fjdtest',
      `SlurmctldHost=${node}(127.0.0.1)`,
      'SlurmUser=root',
      'SlurmdUser=root',
      'AuthType=auth/munge',
      'CredType=cred/munge',
      `AuthInfo=socket=${socket}`,
      `SlurmctldPort=${ctldPort}`,
      `SlurmdPort=${slurmdPorts[0]}`,
      `StateSaveLocation=${path.join(dir, 'state')}`,
      `SlurmdSpoolDir=${path.join(dir, 'spool', '%n')}`,
      `SlurmctldPidFile=${path.join(dir, 'slurmctld.pid')}`,
      `SlurmdPidFile=${path.join(dir, 'slurmd-%n.pid')}`,
      `SlurmctldLogFile=${path.join(dir, 'slurmctld.log')}`,
      `SlurmdLogFile=${path.join(dir, 'slurmd-%n.log')}`,
      'ProctrackType=proctrack/linuxproc',
      ...(gpus > 0 ? ['GresTypes=gpu'] : []),
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
      ...nodes.map(
        (name, i) =>
          `NodeName=${name} NodeAddr=127.0.0.1 NodeHostname=${node} Port=${slurmdPorts[i]} CPUs=${SLURM_CPUS} RealMemory=${shape.memoryMb ?? 2048}${gpus > 0 ? ` Gres=gpu:${gpus}` : ''} State=UNKNOWN`,
      ),
      `PartitionName=debug Nodes=${nodes.join(',')} Default=YES MaxTime=INFINITE State=UP`,
      '',
    ].join('\n');
    fs.writeFileSync(env.SLURM_CONF, conf);
    if (gpus > 0) {
      const gres: string[] = [];
      for (const name of nodes) {
        const devices = path.join(dir, 'dev', name);
        fs.mkdirSync(devices, {recursive: true});
        // Character devices like /dev/null's (1, 3), which slurmd accepts as GPU files.
        for (let g = 0; g < gpus; g++) {
          const made = spawnSync('mknod', [path.join(devices, `gpu${g}`), 'c', '1', '3'], {encoding: 'utf8'});
          if (made.status !== 0) return `mknod failed: ${made.stderr}`;
        }
        gres.push(`NodeName=${name} Name=gpu File=${path.join(devices, `gpu[0-${gpus - 1}]`)}`);
      }
      fs.writeFileSync(path.join(dir, 'gres.conf'), `${gres.join('\n')}\n`);
    }
    started.push(daemon(sbin('slurmctld'), ['-D', '-i', '-f', env.SLURM_CONF], path.join(dir, 'slurmctld.out')));
    for (const name of nodes) {
      fs.mkdirSync(path.join(dir, 'spool', name), {recursive: true});
      started.push(
        daemon(sbin('slurmd'), ['-D', '-N', name, '-f', env.SLURM_CONF], path.join(dir, `slurmd-${name}.out`)),
      );
    }
    try {
      await waitUntil(
        () => {
          for (const child of started) if (child.exitCode !== null) throw new Error('a daemon exited');
          const states = client('sinfo', ['--noheader', '--Node', '--format=%T']).stdout.trim().split('\n');
          return states.length === nodes.length && states.every((state) => state.startsWith('idle'));
        },
        20_000,
        'the Slurm nodes to be idle',
      );
    } catch (error) {
      const logs = ['slurmctld', ...nodes.map((name) => `slurmd-${name}`)]
        .map((d) => `${d}:\n${tail(path.join(dir, `${d}.log`))}\n${tail(path.join(dir, `${d}.out`))}`)
        .join('\n');
      await stop();
      return `Slurm did not start (${(error as Error).message}):\n${logs}`;
    }
    process.env.SLURM_CONF = env.SLURM_CONF;
    return {dir, conf: env.SLURM_CONF, node, nodes, env, client, stop};
  } catch (error) {
    await stop();
    return `Slurm did not start: ${(error as Error).message}`;
  }
}
