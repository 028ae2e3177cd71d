// Entries of jobqueue/ that can never be jobs: a socket, a device node, a FIFO, a name that is
// not UTF-8, a file the dispatcher may not read. Each costs at most itself: it ends in failed/
// with its reason (or, when it cannot be moved, is reported once and left alone), the other
// jobs run, and the dispatcher neither exits with an error nor finds it again and again.
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {expect, it} from 'vitest';
import {makeHome, type TestHome} from '../helpers/home.js';
import {fixture} from '../helpers/fixtures.js';
import {AS_PLAIN_USER} from '../helpers/privileges.js';
import {waitUntil} from '../helpers/wait.js';

const ok = `[control]\nexecutable = ${fixture('fail.sh')} 0\n`;
const isRoot = process.getuid?.() === 0;
// A Unix socket left behind by a server that exited without closing it.
function makeSocket(file: string): void {
  fs.mkdirSync(path.dirname(file), {recursive: true, mode: 0o700});
  execFileSync(process.execPath, [
    '-e',
    "require('net').createServer().listen(process.argv[1], () => process.exit(0))",
    file,
  ]);
}

// The beat of the dispatcher's lock, renewed at every rescan.
function lockBeat(home: TestHome): number {
  try {
    return (JSON.parse(home.read('.fjd/dispatcher.lock')) as {beat: number}).beat;
  } catch {
    return -1;
  }
}

const count = (text: string, pattern: RegExp): number => text.match(new RegExp(pattern, 'gm'))?.length ?? 0;

it('fails a socket, a device node and a FIFO with their reasons; the other jobs run; a restart has nothing to do', async () => {
  const home = makeHome('special');
  const queue = path.join(home.dir, 'jobqueue');
  home.job('good-1', ok);
  home.job('good-2', ok);
  makeSocket(path.join(queue, 'sock'));
  execFileSync('mkfifo', [path.join(queue, 'fifo')]);
  const reasons: Record<string, string> = {
    sock: 'the job is not a regular file (a socket); fjd runs only regular files',
    fifo: 'the job is not a regular file (a FIFO); fjd runs only regular files',
  };
  if (isRoot) {
    execFileSync('mknod', [path.join(queue, 'dev'), 'c', '1', '3']);
    reasons.dev = 'the job is not a regular file (a character device); fjd runs only regular files';
  } else {
    console.log('odd-entries.test: not root, so the device node is left out (mknod needs root)');
  }
  await home.run('recruiter', ['hire', '1']);

  const first = await home.run('dispatcher', []);
  expect(first.stderr).toBe('');
  expect(first.exitCode, first.stdout).toBe(1);
  expect(home.ls('done')).toEqual(['good-1', 'good-2']);
  expect(home.ls('failed')).toEqual(Object.keys(reasons).sort());
  expect(home.ls('jobqueue')).toEqual([]);
  for (const [name, reason] of Object.entries(reasons)) {
    expect(home.record(name)).toMatchObject({state: 'failed', reason, file: `failed/${name}`});
    expect(first.stdout).toContain(`Job ${name} failed: ${reason}`);
  }
  expect(fs.lstatSync(path.join(home.dir, 'failed', 'sock')).isSocket()).toBe(true);
  expect(fs.lstatSync(path.join(home.dir, 'failed', 'fifo')).isFIFO()).toBe(true);

  const again = await home.run('dispatcher', []);
  expect(again.exitCode, again.stdout + again.stderr).toBe(0);
  expect(again.stdout).toContain('Finished: 0, failed: 0');
  const status = await home.run('fjd', ['status', 'sock']);
  expect(status.stdout).toContain(reasons.sock);
});

it('moves names that are not UTF-8 into failed/ by their bytes, under a name with %XX for those bytes', async () => {
  const home = makeHome('not-utf8');
  const queue = Buffer.from(path.join(home.dir, 'jobqueue'));
  const odd = {
    'odd-%FF%FE': Buffer.from([0x6f, 0x64, 0x64, 0x2d, 0xff, 0xfe]),
    'odd-caf%E9': Buffer.from('odd-caf\xe9', 'latin1'),
  };
  home.job('good', ok);
  for (const [escaped, raw] of Object.entries(odd))
    fs.writeFileSync(Buffer.concat([queue, Buffer.from('/'), raw]), `${ok}# ${escaped}\n`);
  await home.run('recruiter', ['hire', '1']);

  const first = await home.run('dispatcher', []);
  expect(first.stderr).toBe('');
  expect(first.exitCode, first.stdout).toBe(1);
  expect(home.ls('done')).toEqual(['good']);
  expect(fs.readdirSync(queue)).toEqual([]);
  expect(home.ls('failed')).toEqual(Object.keys(odd).sort());
  for (const escaped of Object.keys(odd)) {
    expect(home.read(`failed/${escaped}`)).toBe(`${ok}# ${escaped}\n`);
    expect(home.record(escaped)).toMatchObject({
      state: 'failed',
      name: escaped,
      reason: "the job's name is not valid UTF-8 (its id has %XX for each byte that is not)",
    });
  }

  const again = await home.run('dispatcher', []);
  expect(again.exitCode, again.stdout + again.stderr).toBe(0);
});

it('fails a job file of mode 000 that the dispatcher may not read, as any user but root sees it', async () => {
  const home = makeHome('mode-000');
  home.job('good', ok);
  home.job('locked', ok);
  fs.chmodSync(path.join(home.dir, 'jobqueue', 'locked'), 0o000);
  await home.run('recruiter', ['hire', '1'], {wrap: AS_PLAIN_USER});

  const first = await home.run('dispatcher', [], {wrap: AS_PLAIN_USER});
  expect(first.stderr).toBe('');
  expect(first.exitCode, first.stdout).toBe(1);
  expect(home.ls('done')).toEqual(['good']);
  expect(home.ls('failed')).toEqual(['locked']);
  expect(home.record('locked')).toMatchObject({state: 'failed', reason: 'cannot read the job file (EACCES)'});
  expect(fs.statSync(path.join(home.dir, 'failed', 'locked')).mode & 0o777).toBe(0);

  const again = await home.run('dispatcher', [], {wrap: AS_PLAIN_USER});
  expect(again.exitCode, again.stdout + again.stderr).toBe(0);
});

it('with --watch, fails a socket once and never finds it again, and later jobs still run', async () => {
  const home = makeHome('watch-socket');
  makeSocket(path.join(home.dir, 'jobqueue', 'sock'));
  await home.run('recruiter', ['hire', '1']);
  const dispatcher = home.start('dispatcher', ['--watch', '--rescan', '100ms']);
  await waitUntil(() => home.ls('failed').includes('sock'), 20_000, 'the socket to be failed');
  // Five more rescans: each would find it again, were it only forgotten.
  const beat = lockBeat(home);
  await waitUntil(() => lockBeat(home) >= beat + 5, 20_000, 'five rescans');
  // Found once, at the start.
  expect(count(dispatcher.output(), /^Found 1 new job to dispatch\.$/)).toBe(1);
  home.job('late', ok);
  await waitUntil(() => home.ls('done').includes('late'), 20_000, 'a job dropped later to run');
  dispatcher.signal('SIGINT');
  const result = await dispatcher.result;
  expect(result.stderr).toBe('');
  expect(count(result.stdout, /^Job sock failed: /)).toBe(1);
  expect(home.record('sock')).toMatchObject({
    state: 'failed',
    reason: 'the job is not a regular file (a socket); fjd runs only regular files',
  });
});

it('reports once an entry it cannot move into failed/, leaves it alone, and fails it when it can', async () => {
  const home = makeHome('unmovable');
  const failed = path.join(home.dir, 'failed');
  makeSocket(path.join(home.dir, 'jobqueue', 'sock'));
  home.job('good', ok);
  await home.run('recruiter', ['hire', '1'], {wrap: AS_PLAIN_USER});
  fs.chmodSync(failed, 0o500);
  const dispatcher = home.start('dispatcher', ['--watch', '--rescan', '100ms'], {wrap: AS_PLAIN_USER});
  await waitUntil(() => home.ls('done').includes('good'), 20_000, 'the good job to run');
  const beat = lockBeat(home);
  await waitUntil(() => lockBeat(home) >= beat + 5, 20_000, 'five rescans');
  dispatcher.signal('SIGINT');
  const result = await dispatcher.result;
  fs.chmodSync(failed, 0o700);
  const warning = `dispatcher: warning: jobqueue/sock cannot be a job (the job is not a regular file (a socket); fjd runs only regular files), and it cannot be moved into failed/ (EACCES); leaving it alone until the dispatcher starts again`;
  expect(result.stderr.split('\n').filter((line) => line !== '')).toEqual([warning]);
  expect(home.ls('jobqueue')).toEqual(['sock']);

  // Once failed/ can be written again, the next dispatcher fails it.
  const again = await home.run('dispatcher', [], {wrap: AS_PLAIN_USER});
  expect(again.exitCode, again.stdout + again.stderr).toBe(1);
  expect(home.ls('failed')).toEqual(['sock']);
  expect(home.record('sock')).toMatchObject({state: 'failed', file: 'failed/sock'});
});
