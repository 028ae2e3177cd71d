// Job names too long for the names fjd derives from them (`.fjd/records/ID.json`, the staged
// `.ID.record`, `ID~2`, `ID.N.out`) fail into failed/ with their reason before anything is
// derived from them; the other jobs run, and neither a worker nor the dispatcher exits.
import fs from 'node:fs';
import path from 'node:path';
import {expect, it} from 'vitest';
import {makeHome, type TestHome} from '../helpers/home.js';
import {fixture} from '../helpers/fixtures.js';
import {hireOneSlotWorkers} from '../helpers/hire.js';

// What the README promises: a job name of up to 224 bytes, an id of up to 239.
const MAX_JOB_NAME_BYTES = 224;
const MAX_ID_BYTES = 239;
const ok = `[control]\nexecutable = ${fixture('fail.sh')} 0\n`;
// A name of exactly `bytes` bytes that starts with `prefix`.
const named = (prefix: string, bytes: number): string => `${prefix}${'a'.repeat(bytes - prefix.length)}`;

// The failed job whose record says it was dropped as `name`.
function failedAs(home: TestHome, name: string): {id: string; record: Record<string, unknown>} {
  for (const id of home.ls('failed')) {
    const record = home.record(id);
    if (record.name === name) return {id, record};
  }
  throw new Error(`no job named ${name.slice(0, 20)}… in failed/`);
}

it('fails names of 248, 250, 251 and 255 bytes with the reason, runs the others, and a restart has nothing to do', async () => {
  const home = makeHome('long-names');
  const long = [248, 250, 251, 255].map((bytes) => named(`L${bytes}-`, bytes));
  for (const name of long) home.job(name, ok);
  const longest = named('ok224-', MAX_JOB_NAME_BYTES);
  home.job(longest, ok);
  home.job('good', ok);
  await hireOneSlotWorkers(home, 2);

  const first = await home.run('dispatcher', []);
  expect(first.stderr).toBe('');
  expect(first.exitCode, first.stdout).toBe(1);
  expect(home.ls('done')).toEqual(['good', longest].sort());
  expect(home.ls('jobqueue')).toEqual([]);
  expect(home.ls('failed')).toHaveLength(long.length);
  for (const name of long) {
    const {id, record} = failedAs(home, name);
    const bytes = Buffer.byteLength(name);
    expect(record.reason).toBe(
      `the job's name has ${bytes} bytes, more than the ${MAX_JOB_NAME_BYTES} a job name may have`,
    );
    expect(record).toMatchObject({state: 'failed', id, file: `failed/${id}`});
    expect(Buffer.byteLength(id)).toBeLessThanOrEqual(MAX_JOB_NAME_BYTES);
    expect(id.startsWith(name.slice(0, 200))).toBe(true);
    expect(home.read(`failed/${id}`)).toBe(ok);
    expect(first.stdout).toContain(`Job ${id} failed: the job's name has ${bytes} bytes`);
  }
  // `fjd status NAME` finds it by the name it was dropped under, and tells why.
  const one = await home.run('fjd', ['status', long[0] ?? '']);
  expect(one.exitCode, one.stderr).toBe(0);
  expect(one.stdout).toContain(`the job's name has 248 bytes, more than the ${MAX_JOB_NAME_BYTES} a job name may have`);
  // The workers are still there, and idle.
  const status = await home.run('fjd', ['status', '--json']);
  const workers = (JSON.parse(status.stdout) as {workers: {state: string}[]}).workers;
  expect(workers.map((w) => w.state)).toEqual(['idle', 'idle']);

  const again = await home.run('dispatcher', []);
  expect(again.exitCode, again.stdout + again.stderr).toBe(0);
  expect(again.stdout).toContain('Finished: 0, failed: 0');
  expect(home.ls('failed')).toHaveLength(long.length);
});

it('a long name dropped twice, and the longest allowed dropped twice: every id fits', async () => {
  const home = makeHome('long-twice');
  const tooLong = named('L246-', 246);
  const longest = named('ok224-', MAX_JOB_NAME_BYTES);
  await home.run('recruiter', ['hire', '1']);
  for (let round = 1; round <= 2; round++) {
    home.job(tooLong, ok);
    home.job(longest, ok);
    const run = await home.run('dispatcher', []);
    expect(run.stderr).toBe('');
    expect(run.exitCode, run.stdout).toBe(1);
  }
  // The second job of the longest name is numbered, whole: `NAME~2`, and ran.
  expect(home.ls('done')).toEqual([longest, `${longest}~2`]);
  expect(Buffer.byteLength(`${longest}~2`)).toBeLessThanOrEqual(MAX_ID_BYTES);
  expect(home.record(`${longest}~2`)).toMatchObject({state: 'finished', name: longest});
  expect(fs.existsSync(path.join(home.dir, '.fjd', 'output', `${longest}~2.out`))).toBe(true);
  // The name too long failed twice, under two ids that fit.
  const ids = home.ls('failed');
  expect(ids).toHaveLength(2);
  const [firstId = '', secondId = ''] = ids;
  expect(secondId).toBe(`${firstId}~2`);
  for (const id of ids) {
    expect(home.record(id)).toMatchObject({
      name: tooLong,
      state: 'failed',
      reason: `the job's name has 246 bytes, more than the ${MAX_JOB_NAME_BYTES} a job name may have`,
    });
  }
  const again = await home.run('dispatcher', []);
  expect(again.exitCode, again.stdout + again.stderr).toBe(0);
});

it('fjd submit refuses, with a usage error, a name (or bulk names) the dispatcher would refuse', async () => {
  const home = makeHome('long-submit');
  const submit = (args: string[]): Promise<{exitCode: number; stdout: string; stderr: string}> =>
    home.run('fjd', ['submit', '--exe', 'true', ...args]);

  const single = await submit(['--name', named('n', 250)]);
  expect(single.exitCode).toBe(2);
  expect(single.stderr).toContain('cannot be a job name: it has 250 bytes, more than the 224 a job name may have');
  // Bulk names get -01 … -10: 222 + 3 bytes is one too many.
  const bulk = await submit(['--name', named('b', 222), '--repeat', '10']);
  expect(bulk.exitCode).toBe(2);
  expect(bulk.stderr).toContain('cannot be a job name: it has 225 bytes');
  fs.writeFileSync(path.join(home.dir, 'rows.csv'), 'x\n1\n2\n');
  const csv = await submit(['--name', named('c', 223), '--params-file', 'rows.csv']);
  expect(csv.exitCode).toBe(2);
  expect(csv.stderr).toContain('cannot be a job name: it has 225 bytes');
  expect(home.ls('jobqueue')).toEqual([]);

  const fits = await submit(['--name', named('f', MAX_JOB_NAME_BYTES)]);
  expect(fits.exitCode, fits.stderr).toBe(0);
  // Submitted again, it is numbered within the limit of a job's name.
  const twice = await submit(['--name', named('f', MAX_JOB_NAME_BYTES)]);
  expect(twice.exitCode, twice.stderr).toBe(0);
  const queued = home.ls('jobqueue');
  expect(queued).toHaveLength(2);
  for (const name of queued) expect(Buffer.byteLength(name)).toBeLessThanOrEqual(MAX_JOB_NAME_BYTES);
  expect(twice.stdout.trim()).toMatch(/^fa+~2$/);
});

it('fjd cancel of an open job whose name is too long: it ends in failed/ under an id that fits, and the next dispatcher carries on', async () => {
  const home = makeHome('long-cancel');
  const name = named('L251-', 251);
  home.job(name, ok);
  home.job('good', ok);
  const cancel = await home.run('fjd', ['cancel', name]);
  expect(cancel.exitCode, cancel.stdout + cancel.stderr).toBe(0);
  const {id, record} = failedAs(home, name);
  expect(record).toMatchObject({state: 'failed', reason: 'cancelled'});
  expect(Buffer.byteLength(id)).toBeLessThanOrEqual(MAX_JOB_NAME_BYTES);
  await home.run('recruiter', ['hire', '1']);
  const run = await home.run('dispatcher', []);
  expect(run.exitCode, run.stdout + run.stderr).toBe(0);
  expect(home.ls('done')).toEqual(['good']);
});
