// Dependencies (after, after_any): chains and a diamond run in order, a failure propagates,
// unknown names and cycles fail with their reason, a dependent dropped first waits for what it
// needs, and a chain survives a killed dispatcher. Checked from the jobs' own markers.
import fs from 'node:fs';
import {describe, expect, it} from 'vitest';
import {makeHome} from '../helpers/home.js';
import {waitUntil} from '../helpers/wait.js';
import {markJob, marks, startOrder} from './schedule-helpers.js';

describe('dependencies', () => {
  it('a chain and a diamond run in dependency order; a failure propagates; after_any waits for any ending; unknown names and cycles fail', async () => {
    const home = makeHome('deps');
    // Dropped in an order that would run them wrongly without dependencies.
    home.job('c.ini', markJob({after: 'b'}));
    home.job('b.ini', markJob({after: 'a.ini'}));
    home.job('a.ini', markJob({}, '0.2'));
    home.job('bottom', markJob({after: 'left, right'}));
    home.job('left', markJob({after: 'top'}, '0.2'));
    home.job('right', markJob({after: 'top'}));
    home.job('top', markJob({}, '0.2'));
    home.job('broken', markJob({}, '-', 3));
    home.job('needs-broken', markJob({after: 'broken'}));
    home.job('after-needs', markJob({after: 'needs-broken'}));
    home.job('cleanup', markJob({after_any: 'broken'}));
    home.job('orphan', markJob({after: 'nosuchjob'}));
    home.job('p', markJob({after: 'q'}));
    home.job('q', markJob({after: 'p'}));
    await home.run('recruiter', ['hire', '3']);
    // (a name that is nowhere is waited for five rescans: 1 s here)
    const result = await home.run('dispatcher', ['--rescan', '200ms']);
    expect(result.exitCode).toBe(1);
    const order = startOrder(home);
    const at = (name: string): number => order.indexOf(name);
    const ended = (name: string): bigint => marks(home).find((m) => m.name === name && m.kind === 'end')?.ns ?? -1n;
    const started = (name: string): bigint => marks(home).find((m) => m.name === name && m.kind === 'start')?.ns ?? -1n;
    for (const [job, dep] of [
      ['b.ini', 'a.ini'],
      ['c.ini', 'b.ini'],
      ['left', 'top'],
      ['right', 'top'],
      ['bottom', 'left'],
      ['bottom', 'right'],
      ['cleanup', 'broken'],
    ]) {
      expect(at(job ?? ''), `${job} ran`).toBeGreaterThanOrEqual(0);
      expect(started(job ?? '') > ended(dep ?? ''), `${job} started after ${dep} ended`).toBe(true);
    }
    expect(home.ls('done').sort()).toEqual(['a.ini', 'b.ini', 'bottom', 'c.ini', 'cleanup', 'left', 'right', 'top']);
    expect(home.ls('failed').sort()).toEqual(['after-needs', 'broken', 'needs-broken', 'orphan', 'p', 'q']);
    expect(home.record('needs-broken')).toMatchObject({state: 'failed', reason: 'dependency broken failed'});
    expect(home.record('after-needs')).toMatchObject({state: 'failed', reason: 'dependency needs-broken failed'});
    expect(home.record('orphan').reason).toMatch(/^dependency nosuchjob is unknown/);
    expect(home.record('p').reason).toMatch(/^dependency cycle: (p → q → p|q → p → q)$/);
    for (const never of ['needs-broken', 'after-needs', 'orphan', 'p', 'q'])
      expect(at(never), `${never} never ran`).toBe(-1);
    expect(result.stdout).toContain('Job needs-broken failed: dependency broken failed');
  });

  it('a chain dropped the wrong way round, the dependent first: it waits for what it needs to turn up', async () => {
    const home = makeHome('deps-late');
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(home.job('c', markJob({after: 'b'})), old, old);
    await home.run('recruiter', ['hire', '1']);
    const dispatcher = home.start('dispatcher', []);
    // Started: it has already looked at c, and found no b anywhere.
    await waitUntil(() => dispatcher.output().includes('Dispatcher started.'), 20_000, 'the dispatcher to start');
    home.job('b', markJob({after: 'a'}));
    home.job('a', markJob({}));
    const result = await dispatcher.result;
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(startOrder(home)).toEqual(['a', 'b', 'c']);
  });

  it('a dispatcher killed while a chain waits: the next one finishes it in order', async () => {
    const home = makeHome('deps-restart');
    home.job('s3', markJob({after: 's2'}, '0.2'));
    home.job('s2', markJob({after: 's1'}, '0.2'));
    home.job('s1', markJob({}, '0.4'));
    await home.run('recruiter', ['hire', '2']);
    const first = home.start('dispatcher', []);
    await waitUntil(() => startOrder(home).includes('s1'), 20_000, 's1 to start');
    first.signal('SIGKILL');
    await first.result;
    const result = await home.run('dispatcher', []);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(startOrder(home)).toEqual(['s1', 's2', 's3']);
  });
});
