import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {expect, it} from 'vitest';
import {makeHome} from '../helpers/home.js';
import {fixture} from '../helpers/fixtures.js';
import {waitUntil} from '../helpers/wait.js';

it('of three dispatchers started at the same moment, one works and the others say so and exit', async () => {
  const home = makeHome('three');
  home.job('hold', `[control]\nexecutable = ${fixture('hold.sh')}\n`);
  await home.run('recruiter', ['hire', '1']);
  const started = [home.start('dispatcher', []), home.start('dispatcher', []), home.start('dispatcher', [])];
  await waitUntil(() => fs.existsSync(path.join(home.dir, 'started-hold')), 20_000, 'the job to start');
  // The job holds until released: two dispatchers must meet the working one's lock and exit
  // while it works. (Released earlier, a dispatcher slow to start on a loaded machine could
  // come after the first had finished, and rightly find the home free.)
  let exited = 0;
  for (const s of started) void s.result.then(() => exited++);
  await waitUntil(() => exited >= 2, 30_000, 'two of the three dispatchers to give up');
  fs.writeFileSync(path.join(home.dir, 'release'), '');
  const results = await Promise.all(started.map((s) => s.result));
  const codes = results.map((r) => r.exitCode).sort();
  expect(codes).toEqual([0, 3, 3]);
  for (const loser of results.filter((r) => r.exitCode === 3)) {
    expect(loser.stderr).toMatch(
      /^dispatcher: error: another dispatcher is working on this home: pid \d+ on \S+, since /m,
    );
  }
  expect(home.ls('done')).toEqual(['hold']);
  expect(home.ls('.fjd').includes('dispatcher.lock')).toBe(false);
});

it('takes over the lock of a dispatcher that died, on this host at once and from another host after a lease', async () => {
  const home = makeHome('stale');
  const lock = path.join(home.dir, '.fjd', 'dispatcher.lock');
  fs.mkdirSync(path.dirname(lock), {recursive: true});
  // A pid that is not running on this host.
  fs.writeFileSync(
    lock,
    JSON.stringify({token: 'old', host: os.hostname(), pid: 999_999_999, procStart: '1', startedAt: 'then', beat: 7}),
  );
  const local = await home.run('dispatcher', []);
  expect(local.exitCode, local.stderr).toBe(0);
  fs.writeFileSync(
    lock,
    JSON.stringify({token: 'far', host: 'another-host', pid: 1, procStart: '1', startedAt: 'then', beat: 3}),
  );
  const remote = await home.run('dispatcher', ['--lease', '1s', '--heartbeat', '300ms']);
  expect(remote.exitCode, remote.stderr).toBe(0);
  expect(remote.stdout).toContain(
    'Waiting: a dispatcher of another-host (pid 1) holds this home; watching its lock for 1 s to see whether it is alive.',
  );
  expect(fs.existsSync(lock)).toBe(false);
});
