// Fake hosts for the multi-host tests, on the real engines: each one is an OpenSSH server in
// its own UTS and mount namespace (so `hostname` and os.hostname() name it), which sees the
// test root through its own FUSE bindfs mount at the same path, with long attribute caching
// as on NFS. No inotify event crosses from one mount to another, and flock is not shared
// between them. A client config gives every host an alias (node-a, node-b …).
import {execFileSync, spawn} from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {execa} from 'execa';
import {TEST_ROOT} from './paths.js';
import {killMentioning, signalIfAlive} from './processes.js';
import {waitUntil} from './wait.js';

export interface FakeHost {
  name: string;
  port: number;
  // The process group of the host: unshare, then sshd and bindfs.
  pgid: number;
}

export interface SshHosts {
  dir: string;
  // The ssh client config: every host's alias, the key, batch mode, a known-hosts file here.
  config: string;
  // The command for --ssh or FJD_SSH.
  ssh: string;
  hosts: FakeHost[];
  // A loopback port where nothing listens.
  closedPort: number;
  // Runs a command on a host over ssh.
  run(host: string, line: string, timeoutMs?: number): Promise<{exitCode: number; stdout: string; stderr: string}>;
  // Starts a command on a host over ssh; output() is what it has printed so far.
  start(
    host: string,
    line: string,
  ): {result: Promise<{exitCode: number; stdout: string; stderr: string}>; output(): string};
  stop(): Promise<void>;
}

// Attribute, entry and negative-lookup caching of every mount, as NFS does (acregmax …).
export const CACHE_SECONDS = 5;

const SSHD = '/usr/sbin/sshd';

// Why fake hosts cannot start here, or undefined when they can; decided once.
export const sshHostsUnavailable: string | undefined = probe();

function probe(): string | undefined {
  for (const [tool, file] of [
    ['OpenSSH server (openssh-server)', SSHD],
    ['bindfs', '/usr/bin/bindfs'],
    ['unshare (util-linux)', '/usr/bin/unshare'],
    ['ssh client', '/usr/bin/ssh'],
    ['FUSE device', '/dev/fuse'],
  ]) {
    if (!fs.existsSync(file ?? '')) return `${tool} is missing (${file}); .ci/install-engines installs it`;
  }
  try {
    fs.mkdirSync('/run/sshd', {recursive: true, mode: 0o755});
  } catch (error) {
    return `cannot create /run/sshd, which sshd needs (${String(error)})`;
  }
  try {
    execFileSync('unshare', ['--uts', '--mount', '--fork', 'true'], {stdio: 'pipe', timeout: 10_000});
  } catch (error) {
    return `cannot make UTS and mount namespaces for fake hosts (${String((error as {stderr?: Buffer}).stderr ?? error).trim()})`;
  }
  // A FUSE mount in a namespace of its own, gone with it.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fjd-bindfs-probe-'));
  try {
    const script = `bindfs -f '${dir}' '${dir}' & for i in $(seq 100); do mountpoint -q '${dir}' && break; sleep 0.05; done; mountpoint -q '${dir}'; r=$?; kill $!; wait; exit $r`;
    execFileSync('unshare', ['--mount', '--fork', 'sh', '-c', script], {stdio: 'pipe', timeout: 15_000});
  } catch (error) {
    return `cannot mount bindfs (FUSE) in a mount namespace (${String((error as {stderr?: Buffer}).stderr ?? error).trim() || 'it did not appear'})`;
  } finally {
    fs.rmSync(dir, {recursive: true, force: true});
  }
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

function processGroupAlive(pgid: number): boolean {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') return true;
    } catch {
      // gone meanwhile
    }
  }
  return false;
}

// Starts one fake host per name. `mount` (default: the test root) is mounted with bindfs onto
// itself inside every host, so homes made later below it are seen at the same path.
export async function startSshHosts(names: string[], mount = TEST_ROOT): Promise<SshHosts> {
  fs.mkdirSync(TEST_ROOT, {recursive: true});
  const dir = fs.mkdtempSync(path.join(TEST_ROOT, 'ssh-'));
  const key = (name: string): void => {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', path.join(dir, name)], {
      stdio: 'pipe',
    });
  };
  key('host_key');
  key('user_key');
  fs.copyFileSync(path.join(dir, 'user_key.pub'), path.join(dir, 'authorized_keys'));
  const user = os.userInfo().username;
  const hosts: FakeHost[] = [];
  const clientLines: string[] = [];
  const stop = async (): Promise<void> => {
    for (const host of hosts) signalIfAlive(-host.pgid, 'SIGTERM');
    for (const host of hosts) {
      await waitUntil(() => !processGroupAlive(host.pgid), 5000, `fake host ${host.name} to stop`).catch(() =>
        signalIfAlive(-host.pgid, 'SIGKILL'),
      );
    }
    killMentioning(dir);
  };
  try {
    for (const name of names) {
      const port = await freePort();
      const config = path.join(dir, `sshd-${name}.conf`);
      fs.writeFileSync(
        config,
        [
          `Port ${port}`,
          'ListenAddress 127.0.0.1',
          `HostKey ${path.join(dir, 'host_key')}`,
          `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
          `PidFile ${path.join(dir, `sshd-${name}.pid`)}`,
          'StrictModes no',
          'UsePAM no',
          'PasswordAuthentication no',
          'KbdInteractiveAuthentication no',
          'PermitRootLogin prohibit-password',
          'LogLevel ERROR',
          '',
        ].join('\n'),
      );
      const opts = `attr_timeout=${CACHE_SECONDS},entry_timeout=${CACHE_SECONDS},negative_timeout=${CACHE_SECONDS}`;
      // bindfs in the foreground, so that it stays in the host's process group; sshd starts
      // once the mount is there.
      const script = [
        `hostname ${name}`,
        `bindfs -f -o ${opts} '${mount}' '${mount}' &`,
        `for i in $(seq 200); do mountpoint -q '${mount}' && break; sleep 0.05; done`,
        `mountpoint -q '${mount}' || { echo 'bindfs did not mount' >&2; exit 1; }`,
        `exec ${SSHD} -D -e -f '${config}'`,
      ].join('\n');
      const log = fs.openSync(path.join(dir, `host-${name}.log`), 'a');
      const child = spawn('unshare', ['--uts', '--mount', '--fork', 'sh', '-c', script], {
        detached: true,
        stdio: ['ignore', log, log],
      });
      fs.closeSync(log);
      child.unref();
      if (child.pid === undefined) throw new Error(`could not start fake host ${name}`);
      hosts.push({name, port, pgid: child.pid});
      clientLines.push(`Host ${name}`, '  HostName 127.0.0.1', `  Port ${port}`, '');
    }
    const closedPort = await freePort();
    const config = path.join(dir, 'ssh_config');
    fs.writeFileSync(
      config,
      [
        ...clientLines,
        'Host *',
        `  User ${user}`,
        `  IdentityFile ${path.join(dir, 'user_key')}`,
        '  IdentitiesOnly yes',
        '  BatchMode yes',
        '  StrictHostKeyChecking no',
        `  UserKnownHostsFile ${path.join(dir, 'known_hosts')}`,
        '  LogLevel ERROR',
        '  ConnectTimeout 10',
        '',
      ].join('\n'),
    );
    const start: SshHosts['start'] = (host, line) => {
      const subprocess = execa('ssh', ['-F', config, host, line], {reject: false, stdin: 'ignore', timeout: 60_000});
      let printed = '';
      subprocess.stdout?.on('data', (chunk: Buffer) => (printed += chunk.toString()));
      subprocess.stderr?.on('data', (chunk: Buffer) => (printed += chunk.toString()));
      const result = subprocess.then((done) => ({
        exitCode: done.exitCode ?? -1,
        stdout: String(done.stdout),
        stderr: String(done.stderr),
      }));
      return {result, output: () => printed};
    };
    const run: SshHosts['run'] = async (host, line, timeoutMs = 60_000) => {
      const done = await execa('ssh', ['-F', config, host, line], {reject: false, stdin: 'ignore', timeout: timeoutMs});
      return {exitCode: done.exitCode ?? -1, stdout: String(done.stdout), stderr: String(done.stderr)};
    };
    // Ready when each answers over ssh with its own name.
    for (const host of hosts) {
      let last = '';
      await waitUntil(
        async () => {
          const answer = await run(host.name, 'hostname', 5000);
          last = answer.stderr;
          return answer.exitCode === 0 && answer.stdout.trim() === host.name;
        },
        15_000,
        `fake host ${host.name} to answer over ssh`,
      ).catch((error: unknown) => {
        const log = fs.readFileSync(path.join(dir, `host-${host.name}.log`), 'utf8');
        throw new Error(`${String(error)}; ssh said: ${last.trim()}; host log: ${log.trim()}`);
      });
    }
    return {dir, config, ssh: `ssh -F ${config}`, hosts, closedPort, run, start, stop};
  } catch (error) {
    await stop();
    throw error;
  }
}
