// Nothing outside the home is ever moved: the home's directories must be real directories of
// the user running fjd (or root), not writable by others, before every command starts and
// whenever a dispatcher or a worker moves files through them during a run.
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {setTimeout as delay} from 'node:timers/promises';
import {afterEach, expect, it} from 'vitest';
import {makeHome, type TestHome} from '../helpers/home.js';
import {fixture} from '../helpers/fixtures.js';
import {TEST_ROOT} from '../helpers/paths.js';
import {waitUntil} from '../helpers/wait.js';

const asRoot = process.getuid?.() === 0;
const job = `[control]\nexecutable = ${fixture('fail.sh')} 0\n`;
const outsides: string[] = [];

afterEach(() => {
  for (const dir of outsides.splice(0)) fs.rmSync(dir, {recursive: true, force: true});
});

// A directory outside the home, holding a note and a job file, as another user's files.
function outsideDir(label: string, mode = 0o700): {dir: string; files: Record<string, string>} {
  fs.mkdirSync(TEST_ROOT, {recursive: true});
  const dir = fs.mkdtempSync(path.join(TEST_ROOT, `${label}-`));
  outsides.push(dir);
  const files = {'notes.txt': 'not a job\n', job1: job, 'secret.key': 'key\n'};
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text, {mode: 0o600});
  fs.chmodSync(dir, mode);
  return {dir, files};
}

function expectUntouched(outside: {dir: string; files: Record<string, string>}): void {
  expect(fs.readdirSync(outside.dir).sort()).toEqual(Object.keys(outside.files).sort());
  for (const [name, text] of Object.entries(outside.files))
    expect(fs.readFileSync(path.join(outside.dir, name), 'utf8')).toBe(text);
}

// Checks that `ok` stays true for `ms` (something that must not happen, over a few rescans).
async function staysFor(ms: number, what: string, ok: () => boolean): Promise<void> {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    if (!ok()) throw new Error(`${what} stopped being true`);
    await delay(50);
  }
}

function occurrences(text: string, part: string): number {
  return text.split(part).length - 1;
}

// Replaces home/SUB with a link to `target`, keeping the real directory aside.
function swapIn(home: TestHome, sub: string, target: string): () => void {
  const real = path.join(home.dir, sub);
  fs.renameSync(real, `${real}.real`);
  fs.symlinkSync(target, real);
  return () => {
    fs.rmSync(real);
    fs.renameSync(`${real}.real`, real);
  };
}

it('refuses to start any command when jobqueue/ is a symbolic link, naming it; nothing is moved from where it points', async () => {
  const home = makeHome('linked-queue');
  const outside = outsideDir('queue-target');
  fs.symlinkSync(outside.dir, path.join(home.dir, 'jobqueue'));
  const commands: [string, string[]][] = [
    ['recruiter', ['hire', '1']],
    ['dispatcher', []],
    ['worker', []],
    ['fjd', ['status']],
    ['fjd', ['submit', '--exe', 'true']],
  ];
  for (const [bin, args] of commands) {
    const result = await home.run(bin, args, {timeoutMs: 20_000});
    const which = `${bin} ${args.join(' ')}`;
    expect(result.exitCode, which).toBe(3);
    expect(result.stderr, which).toContain(
      `error: ${home.dir}/jobqueue is a symbolic link (to ${outside.dir}): fjd would move the files of the directory it points to`,
    );
    expect(result.stderr, which).toContain(`Look at what it points to, then remove the link (rm ${home.dir}/jobqueue)`);
  }
  expectUntouched(outside);
  expect(home.ls('done')).toEqual([]);
  expect(home.ls('failed')).toEqual([]);
});

it('moves nothing through a jobqueue/ swapped for a link while the dispatcher watches, says so once, and goes on once it is back', async () => {
  const home = makeHome('swapped-queue');
  const outside = outsideDir('swap-target');
  expect((await home.run('recruiter', ['hire', '1'])).exitCode).toBe(0);
  const dispatcher = home.start('dispatcher', ['--watch', '--rescan', '200ms']);
  home.job('before', job);
  await waitUntil(() => home.ls('done').includes('before'), 20_000, 'the first job to finish');
  const restore = swapIn(home, 'jobqueue', outside.dir);
  const told = `${home.dir}/jobqueue is a symbolic link (to ${outside.dir})`;
  // Idle (nothing open, nothing handed out), it looks every 60 rescans: 12 s here.
  await waitUntil(() => dispatcher.output().includes(told), 40_000, 'the dispatcher to tell of the link');
  await staysFor(1500, 'the directory the link points to is untouched', () => fs.readdirSync(outside.dir).length === 3);
  expectUntouched(outside);
  restore();
  await waitUntil(
    () => dispatcher.output().includes("the home's directories are safe again"),
    20_000,
    'the dispatcher to see the home restored',
  );
  home.job('after', job);
  await waitUntil(() => home.ls('done').includes('after'), 20_000, 'a job queued after the repair to finish');
  dispatcher.signal('SIGINT');
  const result = await dispatcher.result;
  expect(result.exitCode).toBe(130);
  expect(occurrences(result.stderr, told)).toBe(1);
  expect(result.stderr).toContain('nothing is moved through it until that is fixed');
  expectUntouched(outside);
  expect(home.ls('done')).toEqual(['after', 'before']);
  expect(home.ls('failed')).toEqual([]);
});

it('a worker moves nothing through a done/ swapped for a link while its job runs; it waits, says why, and ends the job once done/ is back', async () => {
  const home = makeHome('swapped-done');
  const outside = outsideDir('done-target');
  expect((await home.run('recruiter', ['hire', '1'])).exitCode).toBe(0);
  const dispatcher = home.start('dispatcher', ['--watch', '--rescan', '200ms']);
  home.job('held', `[control]\nexecutable = ${fixture('hold.sh')}\n`);
  const started = path.join(home.dir, 'started-held');
  await waitUntil(() => fs.existsSync(started), 20_000, 'the job to start');
  const restore = swapIn(home, 'done', outside.dir);
  // The worker looks at the home's directories at most once a second (the window the README
  // states, GUARD_LOOK_EVERY_MS); its job must have run longer than that since its last look,
  // before the start.
  await waitUntil(() => Date.now() - fs.statSync(started).mtimeMs > 2500, 20_000, 'the job to have run 2.5 s');
  fs.writeFileSync(path.join(home.dir, 'release'), '');
  const log = (): string =>
    home
      .ls('.fjd/logs')
      .map((name) => home.read(`.fjd/logs/${name}`))
      .join('');
  const told = `${home.dir}/done is a symbolic link (to ${outside.dir})`;
  await waitUntil(() => log().includes(told), 20_000, 'the worker to tell of the link');
  await staysFor(1000, 'the directory the link points to is untouched', () => fs.readdirSync(outside.dir).length === 3);
  expectUntouched(outside);
  restore();
  // Linked into done/ a moment before its record is moved into place.
  await waitUntil(
    () => home.ls('done').includes('held') && home.record('held').state === 'finished',
    20_000,
    'the job to end in the real done/',
  );
  expect(occurrences(log(), told)).toBe(1);
  expect(log()).toContain("the home's directories are safe again");
  expectUntouched(outside);
  dispatcher.signal('SIGINT');
  expect((await dispatcher.result).exitCode).toBe(130);
});

it.skipIf(!asRoot)(
  'refuses a home of another user, even with --group-shared, saying why and what to do; its link into a root-only directory moves nothing',
  async () => {
    const home = makeHome('foreign');
    const secret = outsideDir('root-only');
    for (const sub of ['done', 'failed']) fs.mkdirSync(path.join(home.dir, sub), {mode: 0o700});
    // The other user (nobody) owns the home, and points jobqueue/ into a directory only root reads.
    fs.symlinkSync(secret.dir, path.join(home.dir, 'jobqueue'));
    for (const entry of ['.', 'jobqueue', 'done', 'failed']) fs.lchownSync(path.join(home.dir, entry), 65534, 65534);
    for (const args of [[], ['--group-shared']]) {
      for (const [bin, more] of [
        ['recruiter', ['hire', '1']],
        ['dispatcher', []],
      ] as [string, string[]][]) {
        const result = await home.run(bin, [...more, ...args], {timeoutMs: 20_000});
        expect(result.exitCode, bin).toBe(3);
        expect(result.stderr).toContain(
          `error: ${home.dir} belongs to uid 65534, not to the user running fjd (uid 0) nor to root: its owner could replace what is in it, and so choose which files fjd moves`,
        );
        expect(result.stderr).toContain('Run fjd as uid 65534, or use a home of your own with --home DIR');
      }
    }
    expectUntouched(secret);
    expect(home.ls('failed')).toEqual([]);
    // A home of root's with one directory of another user in it is refused too, naming it.
    fs.lchownSync(home.dir, 0, 0);
    const result = await home.run('dispatcher', [], {timeoutMs: 20_000});
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain(`error: ${home.dir}/jobqueue is a symbolic link (to ${secret.dir})`);
    fs.rmSync(path.join(home.dir, 'jobqueue'));
    fs.mkdirSync(path.join(home.dir, 'jobqueue'), {mode: 0o700});
    fs.chownSync(path.join(home.dir, 'jobqueue'), 65534, 65534);
    const owned = await home.run('fjd', ['status'], {timeoutMs: 20_000});
    expect(owned.exitCode).toBe(3);
    expect(owned.stderr).toContain(`error: ${home.dir}/jobqueue belongs to uid 65534`);
    expectUntouched(secret);
  },
);
if (!asRoot) console.log('home-directories.test: not root, so homes of another user are not tested (chown needs root)');

it.skipIf(!asRoot)(
  'recovering a lost worker whose pod is a link into a root-only directory moves nothing from there',
  async () => {
    const home = makeHome('linked-pod');
    const secret = outsideDir('pod-target');
    const ghost = path.join(home.dir, '.fjd', 'workers', 'ghost');
    fs.mkdirSync(ghost, {recursive: true, mode: 0o700});
    // A worker of this host whose process is gone, so that the dispatcher recovers it at once.
    const gone = spawnSync('true').pid;
    const info = {
      fjd: 1,
      id: 'ghost',
      host: os.hostname(),
      pid: gone,
      procStart: null,
      startedAt: new Date().toISOString(),
      cwd: home.dir,
      log: null,
      heartbeatMs: 5000,
      slurmJob: null,
    };
    fs.writeFileSync(path.join(ghost, 'info.json'), JSON.stringify(info));
    fs.symlinkSync(secret.dir, path.join(ghost, 'pod'));
    const dispatcher = home.start('dispatcher', ['--watch', '--rescan', '200ms']);
    await waitUntil(
      () => /workers\/ghost\/pod[^ ]* is a symbolic link/.test(dispatcher.output()),
      20_000,
      'the dispatcher to refuse the pod',
    );
    await staysFor(1000, 'the directory the pod points to is untouched', () => fs.readdirSync(secret.dir).length === 3);
    dispatcher.signal('SIGINT');
    const result = await dispatcher.result;
    expect(result.exitCode).toBe(130);
    expect(occurrences(result.stderr, 'is a symbolic link')).toBe(1);
    expectUntouched(secret);
    expect(home.ls('jobqueue')).toEqual([]);
    expect(home.ls('failed')).toEqual([]);
  },
);
