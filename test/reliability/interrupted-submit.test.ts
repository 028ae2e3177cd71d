import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {makeHome} from '../helpers/home.js';

describe('a submit interrupted between publishing a job and removing its scratch name', () => {
  it('leaves a job with two names, which the worker accepts after removing the scratch name', async () => {
    const home = makeHome('interrupted-submit');
    // Killed (SIGKILL) right after link(2), before unlink(2).
    const killed = await home.run('fjd', ['submit', '--exe', 'echo ran > ran.txt', '--name', 'j'], {
      env: {FJD_CRASH_AT: 'submit:linked'},
    });
    expect(killed.exitCode).not.toBe(0);
    expect(home.ls('jobqueue')).toEqual(['j']);
    expect(fs.statSync(path.join(home.dir, 'jobqueue', 'j')).nlink).toBe(2);
    expect(home.ls('.fjd/tmp')).toEqual([expect.stringMatching(/^submit-/)]);
    await home.run('fjd', ['hire', '1']);
    const result = await home.run('fjd', ['dispatch', '--fire-when-done']);
    expect(result.exitCode, result.stdout).toBe(0);
    expect(home.read('ran.txt')).toBe('ran\n');
    expect(home.ls('done')).toEqual(['j']);
    expect(home.ls('.fjd/tmp').filter((name) => name.startsWith('submit-'))).toEqual([]);
  });

  it('still refuses a job file with a second name anywhere else', async () => {
    const home = makeHome('second-name');
    const file = home.job('j', '[control]\nexecutable = echo ran > ran.txt\n');
    fs.mkdirSync(path.join(home.dir, '.fjd', 'tmp'), {recursive: true});
    // A hard link by hand, named like a scratch file but outside .fjd/tmp/, and one in it
    // that is not a submit's.
    fs.linkSync(file, path.join(home.dir, 'submit-elsewhere'));
    const other = home.job('k', '[control]\nexecutable = echo ran > ran-k.txt\n');
    fs.linkSync(other, path.join(home.dir, '.fjd', 'tmp', 'not-a-submit'));
    await home.run('fjd', ['hire', '1']);
    const result = await home.run('fjd', ['dispatch', '--fire-when-done']);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('Job j failed: the job file has 2 hard links');
    expect(result.stdout).toContain('Job k failed: the job file has 2 hard links');
    expect(fs.existsSync(path.join(home.dir, 'ran.txt'))).toBe(false);
  });
});
