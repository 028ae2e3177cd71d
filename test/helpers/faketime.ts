// A command's clock set off from the machine's with libfaketime (Debian's `faketime`), for
// tests of what a skewed host does. The library is preloaded straight into the command, so no
// wrapper process stands between the test and the command it signals. The monotonic clock is
// left alone: only the wall clock is skewed, as on a host whose clock is off.
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const LIBRARY_DIRS = [
  '/usr/lib/x86_64-linux-gnu/faketime',
  '/usr/lib/aarch64-linux-gnu/faketime',
  '/usr/lib/faketime',
  '/usr/local/lib/faketime',
];

function library(): string | undefined {
  for (const dir of LIBRARY_DIRS) {
    const file = path.join(dir, 'libfaketime.so.1');
    if (fs.existsSync(file)) return file;
  }
  return undefined;
}

// The environment that runs a command `aheadMs` ahead of this machine's clock, or why it
// cannot be had here (then the test skips and says so). Checked on Node itself: it must see
// the skew in Date.now().
export function skewedClock(aheadMs: number): {env: NodeJS.ProcessEnv} | {unavailable: string} {
  const lib = library();
  if (lib === undefined)
    return {
      unavailable: `libfaketime is not installed (apt-get install faketime; looked in ${LIBRARY_DIRS.join(', ')})`,
    };
  const env = {
    LD_PRELOAD: lib,
    FAKETIME: `${aheadMs >= 0 ? '+' : '-'}${Math.abs(aheadMs) / 1000}s`,
    FAKETIME_DONT_FAKE_MONOTONIC: '1',
  };
  const before = Date.now();
  const probe = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(Date.now()))'], {
    env: {...process.env, ...env},
    encoding: 'utf8',
  });
  const seen = Number(probe.stdout) - before;
  // Node's start takes a moment: the skew seen lies between the skew and the skew plus that.
  if (!(seen >= aheadMs - 50 && seen <= aheadMs + 5000)) {
    return {
      unavailable: `libfaketime (${lib}) did not skew Node's clock: asked for ${aheadMs} ms ahead, saw ${seen} ms (${probe.stderr.trim()})`,
    };
  }
  return {env};
}
