// The benchmark's options: --help lists them and starts nothing; an option it does not know is
// refused at once (exit 2), so that a typo never starts an eleven-minute run. Neither leaves a
// directory of its own in the temporary directory.
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {expect, it} from 'vitest';
import {REPO} from '../helpers/paths.js';

function bench(...args: string[]): {status: number | null; stdout: string; stderr: string; left: string[]} {
  // Its own temporary directory, to see what it leaves there.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fjd-bench-options-'));
  try {
    const result = spawnSync(process.execPath, ['bench/bench.mjs', ...args], {
      cwd: REPO,
      encoding: 'utf8',
      env: {...process.env, TMPDIR: tmp},
      timeout: 30_000,
    });
    return {status: result.status, stdout: result.stdout, stderr: result.stderr, left: fs.readdirSync(tmp)};
  } finally {
    fs.rmSync(tmp, {recursive: true, force: true});
  }
}

it('--help lists the options and exits 0; an unknown option is refused with exit 2, naming it', () => {
  const help = bench('--help');
  expect(help.status, help.stderr).toBe(0);
  expect(help.stdout).toMatch(/^npm run bench \[-- OPTIONS\]: /);
  for (const option of ['--quick', '--only=A,B', '--many-slots', '--slots-total=N', '--spawn-rss=MB', '--round-trips'])
    expect(help.stdout).toContain(`  ${option}`);
  expect(help.left).toEqual([]);

  const typo = bench('--quik');
  expect(typo.status).toBe(2);
  expect(typo.stderr).toContain('bench: no option --quik (npm run bench -- --help lists them)');
  expect(typo.stdout).toBe('');
  expect(typo.left).toEqual([]);

  for (const [option, says] of [
    ['--only=bogus', 'bench: no scenario bogus; the scenarios are throughput, latency'],
    ['--slots-total=x', 'bench: --slots-total must be a whole number of slots above 0, not x'],
  ] as const) {
    const bad = bench(option);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain(says);
    expect(bad.left).toEqual([]);
  }
});
