import fs from 'node:fs';
import path from 'node:path';
import {expect, it} from 'vitest';
import {makeHome} from '../helpers/home.js';

it('the home is --home, else $FJD_HOME, else the current directory; a new one gets mode 0700', async () => {
  const base = makeHome('where');
  const homeOf = async (args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<string> =>
    (JSON.parse((await base.run('fjd', ['status', '--json', ...args], {env, cwd})).stdout) as {home: string}).home;
  const a = path.join(base.dir, 'a');
  const b = path.join(base.dir, 'b');
  const c = path.join(base.dir, 'c');
  fs.mkdirSync(c);
  expect(await homeOf(['--home', a], {FJD_HOME: b}, c)).toBe(a);
  expect(await homeOf([], {FJD_HOME: b}, c)).toBe(b);
  expect(await homeOf([], {FJD_HOME: ''}, c)).toBe(c);
  expect(await homeOf(['--home', 'rel'], {FJD_HOME: ''}, c)).toBe(path.join(c, 'rel'));
  // status only reads; the commands that act create the home, with its directories.
  expect(fs.existsSync(a)).toBe(false);
  const fresh = path.join(base.dir, 'fresh', 'home');
  expect((await base.run('dispatcher', ['--home', fresh])).exitCode).toBe(0);
  expect(fs.statSync(fresh).mode & 0o777).toBe(0o700);
  expect(fs.readdirSync(fresh).sort()).toEqual(['.fjd', 'done', 'failed', 'jobqueue', 'workerqueue']);
  // An existing directory keeps its mode.
  fs.chmodSync(c, 0o755);
  expect((await base.run('dispatcher', [], {env: {FJD_HOME: ''}, cwd: c})).exitCode).toBe(0);
  expect(fs.statSync(c).mode & 0o777).toBe(0o755);
});
