import {describe, expect, it} from 'vitest';
import {makeHome} from '../helpers/home.js';
import {fixture} from '../helpers/fixtures.js';

describe('fjd run without --exe: the jobs already in jobqueue/', () => {
  it('with nothing queued says so, exits 0 and hires nobody', async () => {
    const home = makeHome('run-nothing');
    const result = await home.run('fjd', ['run']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toBe('No jobs are waiting in jobqueue/: nothing to run.\n');
    expect(home.ls('.fjd/workers')).toEqual([]);
    expect(home.ls('.fjd/logs')).toEqual([]);
  });

  it('runs what is queued: hire, dispatch, fire; so fjd retry --all && fjd run reruns the failures', async () => {
    const home = makeHome('run-queued');
    home.job('dropped', `[control]\nexecutable = ${fixture('mark.sh')}\n`);
    const first = await home.run('fjd', ['run', '-j', '2']);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^Running the job waiting in jobqueue\/\.\nHired a worker with 1 slot\.$/m);
    expect(first.stdout).toMatch(/^Finished: 1, failed: 0, /m);
    expect(first.stdout).toContain('Fired the worker it hired.');
    expect(home.ls('done')).toEqual(['dropped']);

    // A sweep of which two fail until `fixed` is there.
    const sweep = await home.run('fjd', [
      'run',
      '--exe',
      'test -e fixed -o $1 = 0',
      '--parameters',
      '0,1,1,0',
      '--name',
      's',
      '-q',
    ]);
    expect(sweep.exitCode).toBe(1);
    expect(home.ls('failed')).toEqual(['s-2', 's-3']);
    home.job('fixed-marker', `[control]\nexecutable = touch fixed\npriority = 10\n`);
    // One line, as a user types it ("$0" is the fjd command).
    const retried = await home.run('fjd', [], {wrap: ['sh', '-c', '"$0" retry --all && "$0" run -j 1']});
    expect(retried.exitCode, retried.stderr).toBe(0);
    expect(retried.stdout).toContain('Running the 3 jobs waiting in jobqueue/.');
    expect(retried.stdout).toMatch(/^Finished: 3, failed: 0, /m);
    expect(home.ls('failed')).toEqual([]);
    expect(home.ls('done')).toEqual(['dropped', 'fixed-marker', 's-1', 's-2', 's-3', 's-4']);
    expect(home.ls('.fjd/workers')).toEqual([]);
  });

  it('an option that makes jobs needs --exe: a usage error naming it, and nothing queued or hired', async () => {
    const home = makeHome('run-no-exe');
    home.job('waiting', `[control]\nexecutable = ${fixture('mark.sh')}\n`);
    const result = await home.run('fjd', ['run', '--parameters', '1,2', '--name', 'x']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(
      'fjd run: error: --parameters, --name make jobs and need --exe; without --exe, fjd run runs the jobs already in jobqueue/\n',
    );
    expect(home.ls('jobqueue')).toEqual(['waiting']);
    expect(home.ls('.fjd/workers')).toEqual([]);
  });
});
