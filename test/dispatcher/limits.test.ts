// Group limits: a group limited by flag or by the home's limits file never has more jobs out
// at once, across a killed dispatcher too, and a limit raised in the file applies from then on.
// Measured from the jobs' own start and end markers.
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {makeHome} from '../helpers/home.js';
import {waitUntil} from '../helpers/wait.js';
import {hireOneSlotWorkers} from '../helpers/hire.js';
import {markJob, marks, mostAtOnce, startOrder} from './schedule-helpers.js';

describe('limits', () => {
  it('8 workers, a group limited to 2: never more than 2 of it at once, and the others run beside it', async () => {
    const home = makeHome('limit');
    const gpu = new Set<string>();
    for (let i = 0; i < 10; i++) {
      home.job(`gpu${i}`, markJob({group: 'gpu'}, '0.3'));
      gpu.add(`gpu${i}`);
    }
    const cpu = new Set<string>();
    for (let i = 0; i < 10; i++) {
      home.job(`cpu${i}`, markJob({}, '0.3'));
      cpu.add(`cpu${i}`);
    }
    await hireOneSlotWorkers(home, 8);
    const result = await home.run('dispatcher', ['--limit', 'gpu=2']);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(home.ls('done')).toHaveLength(20);
    expect(mostAtOnce(home, gpu)).toBe(2);
    expect(mostAtOnce(home, cpu)).toBeGreaterThan(2);
  });

  it('the limits file in the home, and a dispatcher killed half-way: the limit holds throughout', async () => {
    const home = makeHome('limit-file');
    fs.writeFileSync(path.join(home.dir, 'limits'), '# at most one licence\nlicence = 1\n');
    const names = new Set<string>();
    for (let i = 0; i < 6; i++) {
      home.job(`lic${i}`, markJob({group: 'licence'}, '0.3'));
      names.add(`lic${i}`);
    }
    await home.run('recruiter', ['hire', '4']);
    const first = home.start('dispatcher', []);
    await waitUntil(() => startOrder(home).length >= 2, 20_000, 'two jobs to start');
    first.signal('SIGKILL');
    await first.result;
    const result = await home.run('dispatcher', []);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(home.ls('done')).toHaveLength(6);
    expect(mostAtOnce(home, names)).toBe(1);
  });
});

describe('limits changed while the dispatcher runs', () => {
  it('raising the limit in the limits file lets more of the group run at once from then on', async () => {
    const home = makeHome('limit-live');
    const limits = path.join(home.dir, 'limits');
    fs.writeFileSync(limits, 'gpu = 1\n');
    const names = new Set<string>();
    for (let i = 0; i < 9; i++) {
      home.job(`g${i}`, markJob({group: 'gpu'}, '0.4'));
      names.add(`g${i}`);
    }
    await hireOneSlotWorkers(home, 4);
    const dispatcher = home.start('dispatcher', []);
    await waitUntil(() => marks(home).filter((m) => m.kind === 'end').length >= 2, 30_000, 'two jobs to end');
    const changedAt = BigInt(Date.now()) * 1_000_000n;
    fs.writeFileSync(limits, 'gpu = 3\n');
    const result = await dispatcher.result;
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(home.ls('done')).toHaveLength(9);
    const before = new Set(
      marks(home)
        .filter((m) => m.kind === 'start' && m.ns < changedAt)
        .map((m) => m.name),
    );
    expect(mostAtOnce(home, before)).toBe(1);
    expect(mostAtOnce(home, names)).toBe(3);
  });
});
