import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {directoryProblem, HomeGuard} from '../../src/home/directories.js';
import {checkHome, ensureHome, homeDirectories, homePaths} from '../../src/home/layout.js';
import type {FjdError} from '../../src/errors.js';

const asRoot = process.getuid?.() === 0;
const strict = {groupShared: false};
let base: string;

beforeEach(() => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'fjd-dirs-'));
});

afterEach(() => {
  fs.rmSync(base, {recursive: true, force: true});
});

function dir(name: string, mode = 0o700): string {
  const made = path.join(base, name);
  fs.mkdirSync(made, {recursive: true});
  fs.chmodSync(made, mode);
  return made;
}

describe('directoryProblem', () => {
  it('accepts a real directory of ours, and one that is not there (nothing moves through it)', () => {
    expect(directoryProblem(dir('ok'), strict)).toBeUndefined();
    expect(directoryProblem(path.join(base, 'missing'), strict)).toBeUndefined();
  });

  it('refuses a symbolic link, even to a good directory, naming the path and what it points to', () => {
    const target = dir('target');
    const link = path.join(base, 'link');
    fs.symlinkSync(target, link);
    const problem = directoryProblem(link, strict);
    expect(problem?.code).toBe('HOME_UNSAFE');
    expect(problem?.path).toBe(link);
    expect(problem?.message).toBe(
      `${link} is a symbolic link (to ${target}): fjd would move the files of the directory it points to`,
    );
    expect(problem?.hint).toContain(`rm ${link}`);
    // A dangling link too.
    fs.symlinkSync(path.join(base, 'nowhere'), path.join(base, 'dangling'));
    expect(directoryProblem(path.join(base, 'dangling'), strict)?.code).toBe('HOME_UNSAFE');
    // The home itself may be named through a link: it is followed there, and only there.
    expect(directoryProblem(link, strict, true)).toBeUndefined();
  });

  it('refuses a file where a directory belongs', () => {
    fs.writeFileSync(path.join(base, 'file'), '');
    expect(directoryProblem(path.join(base, 'file'), strict)?.code).toBe('HOME_UNUSABLE');
  });

  it('refuses a directory others may write, and one its group may write unless group-shared', () => {
    const open = dir('open', 0o777);
    expect(directoryProblem(open, {groupShared: true})?.message).toBe(
      `${open} is writable by others (mode 0777): anyone could make the workers run their commands`,
    );
    const group = dir('group', 0o770);
    expect(directoryProblem(group, strict)?.message).toContain('is writable by its group (mode 0770)');
    expect(directoryProblem(group, strict)?.hint).toContain('--group-shared');
    expect(directoryProblem(group, {groupShared: true})).toBeUndefined();
  });

  it.skipIf(!asRoot)('refuses a directory of another user, also when group-shared; accepts one of root', () => {
    const foreign = dir('foreign');
    fs.chownSync(foreign, 65534, 65534);
    for (const rules of [strict, {groupShared: true}]) {
      const problem = directoryProblem(foreign, rules);
      expect(problem?.code).toBe('HOME_UNSAFE');
      expect(problem?.message).toBe(
        `${foreign} belongs to uid 65534, not to the user running fjd (uid 0) nor to root: its owner could replace what is in it, and so choose which files fjd moves`,
      );
      expect(problem?.hint).toMatch(/^Run fjd as uid 65534, or use a home of your own with --home DIR/);
    }
    expect(directoryProblem(dir('roots'), strict)).toBeUndefined();
  });
  if (!asRoot)
    console.log('directories.test: not root, so directories of another user are not tested (chown needs root)');
});

describe('the home', () => {
  it('checkHome names the first directory that is wrong, anywhere under .fjd/ too', () => {
    const paths = ensureHome(path.join(base, 'home'));
    const outside = dir('outside');
    fs.rmSync(paths.records, {recursive: true});
    fs.symlinkSync(outside, paths.records);
    expect(() => checkHome(paths.root)).toThrow(
      expect.objectContaining({code: 'HOME_UNSAFE', path: paths.records}) as Error,
    );
    expect(() => ensureHome(paths.root)).toThrow(
      expect.objectContaining({code: 'HOME_UNSAFE', path: paths.records}) as Error,
    );
  });

  it('ensureHome creates nothing through a link: .fjd/ pointing elsewhere gets no directories there', () => {
    const root = dir('home');
    const outside = dir('outside');
    fs.symlinkSync(outside, path.join(root, '.fjd'));
    expect(() => ensureHome(root)).toThrow(
      expect.objectContaining({code: 'HOME_UNSAFE', path: path.join(root, '.fjd')}) as Error,
    );
    expect(fs.readdirSync(outside)).toEqual([]);
  });

  it('every directory of the layout is checked', () => {
    const paths = ensureHome(path.join(base, 'home'));
    for (const one of homeDirectories(paths).slice(1)) {
      fs.chmodSync(one, 0o777);
      expect(() => checkHome(paths.root), one).toThrow(expect.objectContaining({path: one}) as Error);
      fs.chmodSync(one, 0o700);
    }
    expect(checkHome(paths.root)).toEqual(homePaths(paths.root));
  });
});

describe('HomeGuard', () => {
  it('looks again at most once per interval unless asked for a fresh look, and tells each change once', () => {
    const paths = ensureHome(path.join(base, 'home'));
    const told: (FjdError | undefined)[] = [];
    const guard = new HomeGuard(paths.root, homeDirectories(paths), strict, 60_000, (problem) => told.push(problem));
    expect(guard.unsafe()).toBe(false);
    fs.renameSync(paths.jobqueue, `${paths.jobqueue}.real`);
    fs.symlinkSync(dir('outside'), paths.jobqueue);
    // Within the interval the last look stands; a fresh look sees the link.
    expect(guard.unsafe()).toBe(false);
    expect(guard.unsafe(true)).toBe(true);
    expect(guard.unsafe(true)).toBe(true);
    expect(() => guard.assertSafe()).toThrow(
      expect.objectContaining({code: 'HOME_UNSAFE', path: paths.jobqueue}) as Error,
    );
    expect(told.map((problem) => problem?.path)).toEqual([paths.jobqueue]);
    // The same problem found elsewhere is not told again; another one is, once.
    guard.refused(told[0] as FjdError);
    const pod = path.join(paths.workers, 'w', 'pod');
    fs.mkdirSync(path.dirname(pod));
    fs.symlinkSync(dir('elsewhere'), pod);
    const other = directoryProblem(pod, strict) as FjdError;
    guard.refused(other);
    guard.refused(other);
    fs.rmSync(paths.jobqueue);
    fs.renameSync(`${paths.jobqueue}.real`, paths.jobqueue);
    expect(guard.unsafe(true)).toBe(false);
    expect(told.map((problem) => problem?.path)).toEqual([paths.jobqueue, pod, undefined]);
  });

  it('looks at one directory afresh by itself, and a problem found there stands until a look at them all', () => {
    const paths = ensureHome(path.join(base, 'home'));
    const told: (FjdError | undefined)[] = [];
    const guard = new HomeGuard(paths.root, homeDirectories(paths), strict, 60_000, (problem) => told.push(problem));
    expect(guard.unsafe()).toBe(false);
    expect(guard.unsafeDir(paths.jobqueue)).toBe(false);
    fs.renameSync(paths.jobqueue, `${paths.jobqueue}.real`);
    fs.symlinkSync(dir('outside'), paths.jobqueue);
    expect(guard.unsafe()).toBe(false);
    expect(guard.unsafeDir(paths.jobqueue)).toBe(true);
    expect(guard.unsafe()).toBe(true);
    expect(guard.unsafeDir(paths.done)).toBe(true);
    expect(told.map((problem) => problem?.path)).toEqual([paths.jobqueue]);
    fs.rmSync(paths.jobqueue);
    fs.renameSync(`${paths.jobqueue}.real`, paths.jobqueue);
    expect(guard.unsafe(true)).toBe(false);
    expect(guard.unsafeDir(paths.jobqueue)).toBe(false);
  });

  it('looks after directories added later (a worker its own)', () => {
    const paths = ensureHome(path.join(base, 'home'));
    const pod = path.join(paths.workers, 'w', 'pod');
    const guard = new HomeGuard(paths.root, homeDirectories(paths), strict, 0, () => undefined);
    guard.add(pod);
    fs.mkdirSync(path.dirname(pod));
    fs.symlinkSync(dir('outside'), pod);
    expect(guard.problemNow()?.path).toBe(pod);
  });
});
