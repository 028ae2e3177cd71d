// Whether a file written in place has settled is judged by the file server's clock, never by
// this host's: a dispatcher whose clock is ahead of the file server's must not take a file
// that is still being written for an old one.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {setTimeout as pause} from 'node:timers/promises';
import {describe, expect, it} from 'vitest';
import {makeHome} from '../helpers/home.js';
import {fixture} from '../helpers/fixtures.js';
import {skewedClock} from '../helpers/faketime.js';
import {waitUntil} from '../helpers/wait.js';
import {ServerClock} from '../../src/dispatcher/server-clock.js';

describe('a dispatcher whose clock is ahead of the file server', () => {
  for (const [label, aheadMs] of [
    ['5 s', 5000],
    ['1 h', 3_600_000],
  ] as const) {
    it(`${label} ahead: a job written in place in four pieces 0.4 s apart is read whole`, async (context) => {
      const clock = skewedClock(aheadMs);
      if ('unavailable' in clock) {
        console.log(`server-clock.test: skipped, ${clock.unavailable}`);
        context.skip();
        return;
      }
      const home = makeHome('skew');
      expect((await home.run('recruiter', ['hire', '1'])).exitCode).toBe(0);
      const file = path.join(home.dir, 'jobqueue', 'skewed.ini');
      fs.mkdirSync(path.dirname(file), {recursive: true});
      // The writer opens and closes the file for each piece, so that nothing but the settle
      // time guards it; its pauses are the scenario under test, not synchronisation. The
      // first piece is there before the dispatcher starts, so that its first listing finds
      // the file half-written; until then the writer adds comments, 0.4 s apart.
      fs.appendFileSync(file, '[control]\n');
      const dispatcher = home.start('dispatcher', ['--watch'], {env: clock.env});
      const started = performance.now();
      while (!dispatcher.output().includes('Dispatcher started.')) {
        if (performance.now() - started > 30_000)
          throw new Error(`the dispatcher did not start in 30 s: ${dispatcher.output()}`);
        await pause(400);
        fs.appendFileSync(file, '# still being written\n');
      }
      for (const piece of [`executable = node ${fixture('record-argv.mjs')}\n`, '[params]\n', 'complete = yes\n']) {
        await pause(400);
        fs.appendFileSync(file, piece);
      }
      await waitUntil(() => home.ls('done').length + home.ls('failed').length > 0, 20_000, 'skewed.ini to end');
      expect(home.ls('failed'), JSON.stringify(home.ls('failed').map((id) => home.record(id).reason))).toEqual([]);
      expect(home.ls('done')).toEqual(['skewed.ini']);
      const seen = JSON.parse(home.read('seen/skewed.ini.json')) as {file: string};
      expect(seen.file).toMatch(/complete = yes\n$/);
      dispatcher.signal('SIGINT');
      expect((await dispatcher.result).exitCode).toBe(130);
      await home.run('recruiter', ['fire']);
    });
  }
});

describe('ServerClock', () => {
  it("takes the time from a file's mtime, not from this host's clock", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fjd-clock-'));
    try {
      const file = path.join(dir, 'ours');
      fs.writeFileSync(file, 'x');
      // As if this host's clock were an hour ahead of the server that stamped the file.
      const hourAgo = new Date(Date.now() - 3_600_000);
      fs.utimesSync(file, hourAgo, hourAgo);
      const clock = new ServerClock();
      expect(clock.ageOf(hourAgo.getTime())).toBe(0);
      clock.learn(file);
      const age = clock.ageOf(hourAgo.getTime());
      expect(age).toBeGreaterThanOrEqual(0);
      expect(age).toBeLessThan(1000);
      expect(clock.ageOf(hourAgo.getTime() - 5000)).toBeGreaterThanOrEqual(5000);
      // A failed look keeps what was learned.
      fs.rmSync(file);
      clock.learn(file);
      expect(clock.ageOf(hourAgo.getTime())).toBeLessThan(1000);
    } finally {
      fs.rmSync(dir, {recursive: true, force: true});
    }
  });
});
