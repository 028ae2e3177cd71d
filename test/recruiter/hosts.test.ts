import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {errorOf} from '../helpers/errors.js';
import {makeHome} from '../helpers/home.js';
import {defaultHostsFile, parseHostsText, readHostsFile} from '../../src/recruiter/hosts.js';
import {remoteHireLine, sshArgv, sshCommandFrom} from '../../src/recruiter/remote.js';

describe('the hosts file', () => {
  it("reads the original fjd's remote.conf: a section per host with name and workers (its worker's slots)", () => {
    const text =
      '; lab machines\r\n[host1]\r\nname: node-a\r\nworkers: 4\r\n\r\n[host2]\r\nname = alice@node-b\r\nworkers = 2\r\nssh = -p 2222 -o "ProxyJump gate"\r\n';
    expect(parseHostsText(text, 'remote.conf')).toEqual([
      {section: 'host1', name: 'node-a', slots: 4, ssh: [], line: 2},
      {section: 'host2', name: 'alice@node-b', slots: 2, ssh: ['-p', '2222', '-o', 'ProxyJump gate'], line: 6},
    ]);
  });

  it('takes `slots = N` for `workers = N`: the same number, the jobs the host runs at once', () => {
    expect(parseHostsText('[a]\nname = node-a\nslots = 16\n\n[b]\nname = node-b\nworkers = 8\n', 'hosts')).toEqual([
      {section: 'a', name: 'node-a', slots: 16, ssh: [], line: 1},
      {section: 'b', name: 'node-b', slots: 8, ssh: [], line: 5},
    ]);
  });

  it.each([
    ['[host1]\nname = a\nworkers = 0\n', 3, /workers "0" is not a whole number of at least 1/],
    ['[host1]\nname = a\nworkers = two\n', 3, /workers "two"/],
    ['[host1]\nworkers = 2\n', 1, /\[host1\] has no name/],
    ['[host1]\nname = a\n', 1, /has no workers count \(add workers = N, the number of jobs its worker runs at once\)/],
    ['[host1]\nname = a\nslots = 0\n', 3, /slots "0" is not a whole number of at least 1/],
    ['[host1]\nname = a\nworkers = 2\nslots = 2\n', 4, /has both workers and slots, which say the same .*: keep one$/],
    ['name = a\n', 1, /comes before any \[section\] header/],
    [
      '[host1]\nname = a\nworkers = 1\nworker = 2\n',
      4,
      /unknown key "worker" in \[host1\] \(did you mean "workers"\?\)$/,
    ],
    [
      '[host1]\nname = a\nworkers = 1\nport = 22\n',
      4,
      /unknown key "port" in \[host1\] \(known: name, workers, slots, ssh\)$/,
    ],
    ['[host1]\nname = a\nname = b\nworkers = 1\n', 3, /key "name" appears twice/],
    ['[h]\nname = a\nworkers = 1\n[h]\n', 4, /section \[h\] appears twice/],
    ['[host1]\nname = -p 22 a\nworkers = 1\n', 2, /is not an ssh destination/],
    ['[host1]\nname = a\nworkers = 1\nssh = -F ~/x\n', 4, /is not a list of plain words/],
    ['[host1\n', 1, /is not a \[section\] header/],
    ['[host1]\njust words\n', 2, /neither a \[section\] nor a key = value line/],
    ['# nothing\n', 1, /no host is listed/],
  ])('refuses %j, naming the file and line %i', (text, line, message) => {
    const error = errorOf(() => parseHostsText(text, '/shared/run/hosts'));
    expect(error.code).toBe('HOSTS_FILE');
    expect(error.message).toMatch(new RegExp(`^/shared/run/hosts, line ${line}: `));
    expect(error.message).toMatch(message);
    expect(error.path).toBe('/shared/run/hosts');
  });

  it("is the home's `hosts`, else its `remote.conf`; a missing file is named", () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'fjd-hosts-'));
    try {
      expect(defaultHostsFile(home)).toBeUndefined();
      fs.writeFileSync(path.join(home, 'remote.conf'), '[host1]\nname = a\nworkers = 1\n');
      expect(defaultHostsFile(home)).toBe(path.join(home, 'remote.conf'));
      fs.writeFileSync(path.join(home, 'hosts'), '[host1]\nname = b\nworkers = 1\n');
      expect(defaultHostsFile(home)).toBe(path.join(home, 'hosts'));
      expect(readHostsFile(path.join(home, 'hosts')).map((h) => h.name)).toEqual(['b']);
      const missing = errorOf(() => readHostsFile(path.join(home, 'nope')));
      expect(missing).toMatchObject({code: 'HOSTS_FILE', path: path.join(home, 'nope')});
      expect(missing.message).toContain('ENOENT');
    } finally {
      fs.rmSync(home, {recursive: true, force: true});
    }
  });
});

describe('the ssh command', () => {
  it('is --ssh, else $FJD_SSH, else ssh, split into words as a shell would', () => {
    expect(sshCommandFrom(undefined, {})).toEqual(['ssh']);
    expect(sshCommandFrom(undefined, {FJD_SSH: 'ssh -F "/my dir/config"'})).toEqual(['ssh', '-F', '/my dir/config']);
    expect(sshCommandFrom('autossh -M 0', {FJD_SSH: 'ssh -4'})).toEqual(['autossh', '-M', '0']);
    expect(errorOf(() => sshCommandFrom('ssh -F $HOME/x', {})).code).toBe('SSH_COMMAND');
  });

  it('runs the same node and fjd by their paths, in batch mode, with every word quoted', () => {
    const options = {
      ssh: ['ssh', '-F', 'cfg'],
      home: "/shared/it's here",
      cwd: '/shared/a b',
      node: '/usr/bin/node',
      recruiter: '/opt/fjd/dist/cli/recruiter.js',
      hireArgs: ['--heartbeat', '500ms'],
      timeoutMs: 1000,
    };
    const line = remoteHireLine(options, 3);
    expect(line).toBe(
      `cd '/shared/a b' && exec /usr/bin/node /opt/fjd/dist/cli/recruiter.js hire 3 --local-only --home '/shared/it'\\''s here' --heartbeat 500ms`,
    );
    const host = {section: 'host1', name: 'node-a', slots: 3, ssh: ['-p', '2222'], line: 1};
    expect(sshArgv(options.ssh, host, line)).toEqual([
      'ssh',
      '-F',
      'cfg',
      '-p',
      '2222',
      '-o',
      'BatchMode=yes',
      '-n',
      '--',
      'node-a',
      line,
    ]);
  });
});

describe('recruiter hire with hosts', () => {
  it("names the file and line of a mistake in the home's hosts file, and starts nothing", async () => {
    const home = makeHome('hosts-bad');
    fs.writeFileSync(path.join(home.dir, 'hosts'), '[host1]\nname = node-a\nworkers = four\n');
    const hire = await home.run('recruiter', ['hire']);
    expect(hire.exitCode).toBe(3);
    expect(hire.stderr).toContain(
      `recruiter: error: ${path.join(home.dir, 'hosts')}, line 3: [host1] workers "four" is not a whole number of at least 1\n`,
    );
    expect(home.ls('.fjd/workers')).toEqual([]);
  });

  it('--hosts in a home without a hosts file says where one goes; --local-only ignores it', async () => {
    const home = makeHome('hosts-none');
    const hire = await home.run('fjd', ['hire', '--hosts']);
    expect(hire.exitCode).toBe(3);
    expect(hire.stderr).toContain(`fjd: error: the home ${home.dir} has no hosts file (hosts or remote.conf)\n`);
    fs.writeFileSync(path.join(home.dir, 'remote.conf'), '[host1]\nname = node-a\nworkers = 1\n');
    expect((await home.run('recruiter', ['hire', '2', '--local-only'])).stdout).toBe(
      'Hired a worker with 2 slots on localhost.\n',
    );
    expect((await home.run('recruiter', ['hire', '--hosts', '--local-only'])).exitCode).toBe(2);
    expect((await home.run('recruiter', ['fire'])).stdout).toBe('Fired 1 worker (2 slots).\n');
  });
});
