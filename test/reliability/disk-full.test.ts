// A full disk while jobs run: a tiny tmpfs is mounted as the home, filled, and freed again.
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {afterEach, expect, it} from 'vitest';
import {makeHome} from '../helpers/home.js';
import {fixture} from '../helpers/fixtures.js';
import {isRunning} from '../helpers/processes.js';
import {waitUntil} from '../helpers/wait.js';
import {statusOf} from '../helpers/status.js';
import {hireOneSlotWorkers} from '../helpers/hire.js';

const mounted: string[] = [];

function mountTmpfs(dir: string): string | undefined {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m,mode=0700', 'tmpfs', dir], {stdio: 'pipe'});
    mounted.push(dir);
    return undefined;
  } catch (error) {
    return (error as {stderr?: Buffer}).stderr?.toString().trim() || String(error);
  }
}

afterEach(() => {
  for (const dir of mounted.splice(0)) {
    try {
      execFileSync('umount', ['-l', dir]);
    } catch {
      // already gone
    }
  }
});

// Fills the filesystem of `dir` until it refuses, and returns the filler's path.
function fill(dir: string): string {
  const filler = path.join(dir, 'filler');
  const fd = fs.openSync(filler, 'w');
  const block = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) fs.writeSync(fd, block);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  }
  fs.closeSync(fd);
  return filler;
}

it('on a full disk, jobs wait where they are and go on once there is room; nothing is lost or half-recorded', async (context) => {
  const home = makeHome('diskfull');
  const refused = mountTmpfs(home.dir);
  if (refused !== undefined) {
    console.log(`disk-full.test: skipped, cannot mount a tmpfs here (${refused})`);
    context.skip();
    return;
  }
  home.job('hold', `[control]\nexecutable = ${fixture('hold.sh')}\n`);
  const late = `[control]\nexecutable = ${fixture('fail.sh')} 0\n`;
  fs.writeFileSync(path.join(home.dir, 'jobqueue', '.late'), late);
  await hireOneSlotWorkers(home, 2, ['--io-retry', '300ms']);
  const dispatcher = home.start('dispatcher', ['--io-retry', '300ms']);
  await waitUntil(() => fs.existsSync(path.join(home.dir, 'started-hold')), 20_000, 'the first job to start');
  const jobPid = Number(home.read('pid-hold'));

  const filler = fill(home.dir);
  // Renaming needs no room: the dispatcher now finds a job it cannot assign.
  fs.renameSync(path.join(home.dir, 'jobqueue', '.late'), path.join(home.dir, 'jobqueue', 'late'));
  await waitUntil(
    () => dispatcher.output().includes('cannot assign late: ENOSPC'),
    20_000,
    'the dispatcher to meet the full disk',
  );
  // The first job ends while the disk is full: its worker cannot record it yet.
  fs.writeFileSync(path.join(home.dir, 'release'), '');
  await waitUntil(() => !isRunning(jobPid), 20_000, 'the first job to end');
  // Its worker cannot record it and says so in its heartbeat, which needs no room.
  const worker = home.ls('.fjd/workers').find((w) => home.ls(`.fjd/workers/${w}/pod`).includes('hold')) ?? '';
  await waitUntil(
    () => home.read(`.fjd/workers/${worker}/heartbeat`).includes('ENOSPC'),
    20_000,
    'the worker to report ENOSPC',
  );
  expect(home.ls('done')).toEqual([]);
  expect((await statusOf(home)).workers.find((w) => w.id === worker)).toMatchObject({
    state: 'busy',
    job: 'hold',
    problem: 'ENOSPC',
  });

  fs.rmSync(filler);
  const result = await dispatcher.result;
  expect(result.exitCode, result.stdout + result.stderr).toBe(0);
  expect(result.stderr).toContain('dispatcher: warning: cannot assign late: ENOSPC');
  expect(home.ls('done')).toEqual(['hold', 'late']);
  expect(home.read('done/late')).toBe(late);
  expect(home.record('hold')).toMatchObject({state: 'finished', file: 'done/hold', attempts: [{outcome: 'finished'}]});
  expect(home.record('late')).toMatchObject({state: 'finished', file: 'done/late'});
  expect(home.ls('.fjd/tmp')).toEqual([]);
  expect(home.ls('.fjd/records')).toEqual(['hold.json', 'late.json']);
  const logs = home
    .ls('.fjd/logs')
    .map((log) => home.read(`.fjd/logs/${log}`))
    .join('');
  expect(logs).toMatch(/recording the outcome of hold succeeded after \d+ tries/);
  await home.run('recruiter', ['fire']);
});
