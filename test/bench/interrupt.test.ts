// The benchmark interrupted (SIGTERM, SIGINT) while the many-slots scenario runs leaves no
// process behind, neither fjd's (its detached workers, their jobs) nor GNU parallel's, and
// removes its homes: it exits 130. Run with its smallest sizes; nothing here is timed.
import {spawn, spawnSync, type ChildProcess} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {REPO, TEST_ROOT} from '../helpers/paths.js';
import {isRunning} from '../helpers/processes.js';
import {waitUntil} from '../helpers/wait.js';

const hasParallel = spawnSync('parallel', ['--version'], {stdio: 'ignore'}).status === 0;

// Live processes whose command line names `dir` or which work in it.
function processesUnder(dir: string): {pid: number; command: string}[] {
  const found = [];
  for (const entry of fs.readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid || !isRunning(pid)) continue;
    try {
      const command = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      const cwd = fs.readlinkSync(`/proc/${pid}/cwd`);
      if (command.includes(dir) || cwd.startsWith(`${dir}/`)) found.push({pid, command});
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

// The sleeps running under `dir`, in a directory whose name matches `name`.
function sleepsIn(dir: string, name: RegExp): number {
  return processesUnder(dir).filter(({pid, command}) => {
    try {
      return (
        path.basename(command.split(' ')[0] ?? '') === 'sleep' &&
        name.test(path.basename(fs.readlinkSync(`/proc/${pid}/cwd`)))
      );
    } catch {
      return false;
    }
  }).length;
}

if (!hasParallel)
  console.warn('skipping the benchmark interrupt tests: GNU parallel is not installed (apt-get install parallel)');

describe.skipIf(!hasParallel)('npm run bench interrupted', () => {
  let tmp: string;
  let bench: ChildProcess | undefined;

  beforeEach(() => {
    fs.mkdirSync(TEST_ROOT, {recursive: true});
    tmp = fs.mkdtempSync(path.join(TEST_ROOT, 'bench-'));
  });

  afterEach(() => {
    bench?.kill('SIGKILL');
    for (const {pid} of processesUnder(tmp)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    fs.rmSync(tmp, {recursive: true, force: true});
  });

  // Starts the benchmark's many-slots scenario (4 slots, 16 jobs of `sleep 1`), its homes in
  // tmp; resolves with its exit code once it has ended.
  function startBench(): Promise<number | null> {
    bench = spawn(process.execPath, ['bench/bench.mjs', '--quick', '--only=many-slots', '--slots-total=4'], {
      cwd: REPO,
      env: {...process.env, TMPDIR: tmp},
      stdio: 'ignore',
    });
    const child = bench;
    return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  async function expectNothingLeft(): Promise<void> {
    await waitUntil(() => processesUnder(tmp).length === 0, 10_000, 'every process of the benchmark to end');
    expect(fs.readdirSync(tmp)).toEqual([]);
  }

  it.each(['SIGTERM', 'SIGINT'] as const)(
    'while fjd runs its jobs (%s): exits 130, its worker and the jobs gone',
    async (signal) => {
      const exited = startBench();
      await waitUntil(() => sleepsIn(tmp, /^many-slots-\d+$/) >= 1, 60_000, "fjd's worker to run a sleep");
      expect(processesUnder(tmp).some(({command}) => command.includes('dist/cli/worker.js'))).toBe(true);
      bench?.kill(signal);
      const code = await exited;
      await expectNothingLeft();
      expect(code).toBe(130);
    },
  );

  it('while GNU parallel runs its sleeps (SIGTERM): exits 130, parallel and its sleeps gone', async () => {
    const exited = startBench();
    await waitUntil(() => sleepsIn(tmp, /^many-slots-parallel-\d+$/) >= 4, 90_000, 'GNU parallel to run 4 sleeps');
    bench?.kill('SIGTERM');
    const code = await exited;
    await expectNothingLeft();
    expect(code).toBe(130);
  });
});
