import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {expect, it} from 'vitest';
import {makeHome} from '../helpers/home.js';
import {fixture} from '../helpers/fixtures.js';

const job = `[control]\nexecutable = ${fixture('fail.sh')} 0\n`;

it('never runs a job file that someone else could have written, and says why', async () => {
  const home = makeHome('untrusted');
  const queue = path.join(home.dir, 'jobqueue');
  const outside = path.join(home.dir, 'outside.ini');
  fs.writeFileSync(outside, job);
  home.job('good', job);
  fs.mkdirSync(queue, {recursive: true});
  fs.symlinkSync(outside, path.join(queue, 'symlink'));
  fs.writeFileSync(path.join(home.dir, 'original'), job);
  fs.linkSync(path.join(home.dir, 'original'), path.join(queue, 'hardlink'));
  home.job('group-writable', job);
  fs.chmodSync(path.join(queue, 'group-writable'), 0o664);
  home.job('world-writable', job);
  fs.chmodSync(path.join(queue, 'world-writable'), 0o646);
  execFileSync('mkfifo', [path.join(queue, 'fifo')]);
  const foreign = process.getuid?.() === 0;
  if (foreign) {
    home.job('foreign', job);
    fs.chownSync(path.join(queue, 'foreign'), 65534, 65534);
  } else {
    console.log('untrusted.test: not root, so the case of a file owned by another user is left out (chown needs root)');
  }
  await home.run('recruiter', ['hire', '1']);
  const result = await home.run('dispatcher', []);
  expect(result.exitCode).toBe(1);
  expect(home.ls('done')).toEqual(['good']);
  const reasons: Record<string, RegExp> = {
    symlink: /^the job file is a symbolic link; fjd runs only regular files$/,
    hardlink: /^the job file has 2 hard links; fjd runs only files with one name$/,
    'group-writable':
      /^the job file is writable by its group \(mode 0664\); remove that with chmod g-w, or start the workers with --group-shared$/,
    'world-writable': /^the job file is writable by others \(mode 0646\); remove that with chmod o-w$/,
    fifo: /^the job is not a regular file/,
    ...(foreign ? {foreign: /^the job file belongs to uid 65534, not to the worker's user \(uid 0\)$/} : {}),
  };
  expect(home.ls('failed')).toEqual(Object.keys(reasons).sort());
  for (const [name, reason] of Object.entries(reasons)) expect(home.record(name).reason, name).toMatch(reason);
  // The link moved, never its target: files outside the home are never moved or deleted.
  expect(fs.lstatSync(path.join(home.dir, 'failed', 'symlink')).isSymbolicLink()).toBe(true);
  expect(fs.readFileSync(outside, 'utf8')).toBe(job);
  expect(fs.existsSync(path.join(home.dir, 'original'))).toBe(true);
});

it('accepts group-writable job files in a home started with --group-shared', async () => {
  const home = makeHome('groupshared');
  home.job('shared', job);
  fs.chmodSync(path.join(home.dir, 'jobqueue', 'shared'), 0o664);
  await home.run('recruiter', ['hire', '1', '--group-shared']);
  expect((await home.run('dispatcher', ['--group-shared'])).exitCode).toBe(0);
  expect(home.ls('done')).toEqual(['shared']);
});

it('refuses a home or jobqueue/ that others may write, saying what to fix', async () => {
  const home = makeHome('open');
  fs.mkdirSync(path.join(home.dir, 'jobqueue'));
  fs.chmodSync(path.join(home.dir, 'jobqueue'), 0o777);
  for (const [bin, args] of [
    ['dispatcher', []],
    ['recruiter', ['hire', '1']],
    ['fjd', ['fire']],
  ] as [string, string[]][]) {
    const result = await home.run(bin, args);
    expect(result.exitCode, bin).toBe(3);
    expect(result.stderr).toContain(
      `error: ${home.dir}/jobqueue is writable by others (mode 0777): anyone could make the workers run their commands`,
    );
    expect(result.stderr).toContain(`Remove that with: chmod o-w ${home.dir}/jobqueue`);
  }
  fs.chmodSync(path.join(home.dir, 'jobqueue'), 0o770);
  const group = await home.run('dispatcher', []);
  expect(group.exitCode).toBe(3);
  expect(group.stderr).toContain('--group-shared');
  expect((await home.run('dispatcher', ['--group-shared'])).exitCode).toBe(0);
  expect((await home.run('dispatcher', [], {env: {FJD_GROUP_SHARED: '1'}})).exitCode).toBe(0);
});

it('refuses job files over the size cap', async () => {
  const home = makeHome('big');
  home.job('huge', `${job}[params]\npadding = ${'x'.repeat(1024 * 1024)}\n`);
  await home.run('recruiter', ['hire', '1']);
  expect((await home.run('dispatcher', [])).exitCode).toBe(1);
  expect(home.record('huge').reason).toMatch(/^the job file has \d+ bytes, more than the 1048576 allowed$/);
});
