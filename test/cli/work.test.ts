// `worker`'s capacity options, as a user gives them: what it writes into its info.json, and
// the clean usage errors of values that cannot be a capacity.
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {makeHome, type TestHome} from '../helpers/home.js';
import {waitUntil} from '../helpers/wait.js';

// The info.json of the one worker of the home, once it is there.
async function infoOf(home: TestHome): Promise<Record<string, unknown>> {
  const infoFile = (): string | undefined =>
    home
      .ls('.fjd/workers')
      .map((id) => path.join(home.dir, '.fjd', 'workers', id, 'info.json'))
      .find((file) => fs.existsSync(file));
  await waitUntil(() => infoFile() !== undefined, 20_000, "the worker's info.json");
  return JSON.parse(fs.readFileSync(infoFile() ?? '', 'utf8')) as Record<string, unknown>;
}

describe('worker --slots, --cpus, --memory, --gpus', () => {
  it('writes the capacity it is given into its info.json', async () => {
    const home = makeHome('capacity');
    const worker = home.start('worker', ['--slots', '3', '--cpus', '6', '--memory', '2G', '--gpus', '0,1']);
    const info = await infoOf(home);
    expect(info.capacity).toEqual({slots: 3, cpus: 6, memoryBytes: 2 * 1024 ** 3, gpus: ['0', '1']});
    worker.signal('SIGTERM');
    const stopped = await worker.result;
    expect(stopped.exitCode, stopped.stdout + stopped.stderr).toBe(0);
  });

  it('offers the GPUs of CUDA_VISIBLE_DEVICES, cpus as its slots and the memory free, when not told, and says where the GPUs came from', async () => {
    const home = makeHome('detected');
    const worker = home.start('worker', ['--slots', '2'], {env: {CUDA_VISIBLE_DEVICES: '2,3'}});
    const info = await infoOf(home);
    expect(info.capacity).toMatchObject({slots: 2, cpus: 2, gpus: ['2', '3']});
    expect((info.capacity as {memoryBytes: unknown}).memoryBytes).toBeGreaterThan(0);
    worker.signal('SIGTERM');
    const stopped = await worker.result;
    expect(stopped.exitCode).toBe(0);
    expect(stopped.stdout).toMatch(/^\S+ offering GPUs 2,3, from CUDA_VISIBLE_DEVICES$/m);
  });

  it.each([
    [
      ['--memory', 'lots'],
      "error: option '--memory <size>' argument 'lots' is invalid. --memory must be a size such as 64G, 512M or 2T (powers of 1024; a bare number is megabytes).",
    ],
    [['--memory', '0'], "error: option '--memory <size>' argument '0' is invalid. --memory must be more than none."],
    [
      ['--slots', '0'],
      "error: option '--slots <n>' argument '0' is invalid. --slots must be a whole number of at least 1.",
    ],
    [
      ['--cpus', '1.5'],
      "error: option '--cpus <n>' argument '1.5' is invalid. --cpus must be a whole number of at least 1.",
    ],
    [['--gpus', '0,1,0'], "error: option '--gpus <ids>' argument '0,1,0' is invalid. --gpus names GPU 0 twice."],
  ])('refuses %j with a usage error, exit status 2, and starts nothing', async (args, message) => {
    const home = makeHome('bad-capacity');
    const result = await home.run('worker', args);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(`${message}\n`);
    expect(home.ls('.fjd/workers')).toEqual([]);
    expect(home.ls('workerqueue')).toEqual([]);
  });
});
