// A live worker is never presumed lost because of the lease setting: a lease shorter than
// three heartbeats is refused at start, and a worker that records a longer heartbeat gets a
// lease of three of its own.
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {WorkerLeases, leaseRefusal} from '../../src/dispatcher/lease.js';
import {makeHome} from '../helpers/home.js';
import {fixture} from '../helpers/fixtures.js';

describe('the lease and the heartbeat', () => {
  it('refuses a --lease shorter than 3 default heartbeats with exit status 2, naming both and the fix', async () => {
    const home = makeHome('short-lease');
    home.job('never', `[control]\nexecutable = ${fixture('mark.sh')}\n`);
    const result = await home.run('dispatcher', ['--lease', '3s']);
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'dispatcher: error: --lease 3s is shorter than 3 heartbeats of the workers (the default heartbeat of 5s, so at least 15s): live workers would be presumed lost\n' +
        'dispatcher: Give --lease 15s or more; or, for a lease of 3s, hire the workers with a heartbeat of 1s (recruiter hire --heartbeat 1s) and tell the dispatcher: --heartbeat 1s --lease 3s.\n',
    );
    expect(home.ls('jobqueue')).toEqual(['never']);

    const told = await home.run('dispatcher', ['--lease', '2s', '--heartbeat', '1s']);
    expect(told.exitCode).toBe(2);
    expect(told.stderr).toMatch(
      /^dispatcher: error: --lease 2s is shorter than 3 heartbeats of the workers \(a heartbeat of 1s, so at least 3s\)/,
    );
    // With the workers' shorter heartbeat given, the same lease is fine.
    fs.rmSync(path.join(home.dir, 'jobqueue', 'never'));
    const fine = await home.run('dispatcher', ['--lease', '3s', '--heartbeat', '1s']);
    expect(fine.exitCode, fine.stderr).toBe(0);
  });

  it('does not presume lost a live worker whose recorded heartbeat is longer than a third of the lease', async () => {
    const home = makeHome('long-beat');
    home.job('long', `[control]\nexecutable = ${fixture('mark.sh')} 4 0\n`);
    // The dispatcher is told of 200ms heartbeats, so a lease of 1s passes; this worker beats
    // every 2s, as its info.json records.
    expect((await home.run('recruiter', ['hire', '1', '--heartbeat', '2s'])).exitCode).toBe(0);
    const result = await home.run('dispatcher', ['--lease', '1s', '--heartbeat', '200ms']);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(result.stderr).toMatch(
      /^dispatcher: warning: worker \S+ renews its heartbeat every 2s: it \(and any worker with that heartbeat\) is presumed lost only after 6s without one \(3 heartbeats\), not after the lease of 1s$/m,
    );
    expect(result.stdout).not.toContain('is gone');
    expect(home.record('long')).toMatchObject({state: 'finished', attempts: [{outcome: 'finished'}]});
    expect(home.read('marks.txt').match(/^long start/gm)).toHaveLength(1);
  });

  it('warns once per heartbeat, and keeps the lease for workers that beat often enough', () => {
    const warnings: string[] = [];
    const leases = new WorkerLeases(10_000, (message) => warnings.push(message));
    expect(leases.of('a', 1000)).toBe(10_000);
    expect(leases.of('b', undefined)).toBe(10_000);
    expect(leases.of('c', 5000)).toBe(15_000);
    expect(leases.of('d', 5000)).toBe(15_000);
    expect(leases.of('e', 60_000)).toBe(180_000);
    expect(warnings).toHaveLength(2);
    expect(warnings[1]).toContain(
      'worker e renews its heartbeat every 1m: it (and any worker with that heartbeat) is presumed lost only after 3m',
    );
    expect(leaseRefusal(15_000)).toBeUndefined();
    expect(leaseRefusal(14_999)?.code).toBe('USAGE');
  });
});
