import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {makeHome, type TestHome} from '../helpers/home.js';
import {fixture} from '../helpers/fixtures.js';
import {waitUntil} from '../helpers/wait.js';
import {schemaProblems, STATUS_SCHEMA} from '../helpers/status-schema.js';

const PAUSED_LINE =
  /^The queue is paused \(by [^,]+:\d+, since \d{4}-\d\d-\d\dT[\d:.]+Z\): no job is handed out until "fjd resume"/m;

// Waits until the dispatcher has renewed its lock `times` times more: as many rescans, each of
// which looked at the pause file.
async function rescans(home: TestHome, times: number): Promise<void> {
  const lock = path.join(home.dir, '.fjd', 'dispatcher.lock');
  const stamp = (): string => {
    const stat = fs.statSync(lock, {throwIfNoEntry: false});
    return stat === undefined ? '' : `${stat.ino}:${stat.mtimeMs}`;
  };
  let seen = stamp();
  let count = 0;
  await waitUntil(
    () => {
      const now = stamp();
      if (now !== seen) {
        seen = now;
        count++;
      }
      return count >= times;
    },
    20_000,
    `${times} rescans of the dispatcher`,
  );
}

describe('fjd pause and fjd resume', () => {
  it('a dispatcher started while paused says so and waits; fjd status shows it; fjd resume lets it go', async () => {
    const home = makeHome('pause-start');
    const paused = await home.run('fjd', ['pause']);
    expect(paused.exitCode, paused.stderr).toBe(0);
    expect(paused.stdout).toBe(
      'Paused the queue: no job is handed out until "fjd resume"; jobs already handed out run on.\n',
    );
    const again = await home.run('fjd', ['pause']);
    expect(again.stdout).toMatch(
      /^The queue was paused already \(by .+:\d+, since .+\); "fjd resume" releases it\.\n$/,
    );
    const text = await home.run('fjd', ['status']);
    expect(text.stdout).toMatch(
      /^Paused by .+:\d+ since .+: no job is handed out until "fjd resume"; running jobs go on$/m,
    );
    const json = JSON.parse((await home.run('fjd', ['status', '--json'])).stdout) as {paused: unknown};
    expect(json.paused).toEqual({pausedAt: expect.stringMatching(/^\d{4}-/), by: expect.stringMatching(/:\d+$/)});
    expect(
      schemaProblems(json, STATUS_SCHEMA).filter((p) => p.startsWith('paused') && p !== 'paused did not occur'),
    ).toEqual([]);

    home.job('one', `[control]\nexecutable = ${fixture('mark.sh')}\n`);
    await home.run('recruiter', ['hire', '1']);
    const dispatcher = home.start('dispatcher', ['--rescan', '100ms', '--progress-interval', '100ms']);
    await waitUntil(() => PAUSED_LINE.test(dispatcher.output()), 20_000, 'the dispatcher to say the queue is paused');
    expect(dispatcher.output()).toContain('1 job waiting');
    await rescans(home, 3);
    // Its progress line tells no time left while paused.
    expect(dispatcher.output()).toMatch(/^Progress: 0\/1 done, 0 running, 0 failed, -- jobs\/s, ETA paused\.$/m);
    expect(home.ls('jobqueue')).toEqual(['one']);
    expect(home.ls('done')).toEqual([]);

    const resumed = await home.run('fjd', ['resume']);
    expect(resumed.stdout).toMatch(
      /^Resumed the queue \(paused by .+, since .+\): dispatchers hand out jobs again\.\n$/,
    );
    const result = await dispatcher.result;
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('The queue is resumed: dispatching goes on (1 job waiting).');
    expect(home.ls('done')).toEqual(['one']);
    expect((await home.run('fjd', ['resume'])).stdout).toBe('The queue was not paused.\n');
    expect(JSON.parse((await home.run('fjd', ['status', '--json'])).stdout)).toMatchObject({paused: null});
    expect((await home.run('fjd', ['status'])).stdout).not.toContain('Paused');
    await home.run('recruiter', ['fire']);
  });

  for (const [how, env] of [
    ['watching the home', {}],
    ['without a watch (as for a pause made on another host), within its rescan interval', {FJD_WATCH_FAULT: 'silent'}],
  ] as const) {
    it(`a running dispatcher sees the pause appear, ${how}: running jobs go on, nothing new goes out, said once each`, async () => {
      const home = makeHome('pause-running');
      home.job('first', `[control]\nexecutable = ${fixture('hold.sh')}\npriority = 10\n`);
      await home.run('recruiter', ['hire', '1']);
      const dispatcher = home.start('dispatcher', ['--rescan', '200ms'], {env});
      await waitUntil(() => fs.existsSync(path.join(home.dir, 'started-first')), 20_000, 'the first job to start');
      await home.run('fjd', ['pause']);
      await waitUntil(() => PAUSED_LINE.test(dispatcher.output()), 20_000, 'the dispatcher to say the queue is paused');
      home.job('second', `[control]\nexecutable = ${fixture('mark.sh')}\n`);
      fs.writeFileSync(path.join(home.dir, 'release'), '');
      await waitUntil(() => home.ls('done').includes('first'), 20_000, 'the running job to finish');
      await rescans(home, 3);
      expect(home.ls('jobqueue')).toEqual(['second']);
      // fjd status tells no time left for a job that waits for fjd resume.
      expect((await home.run('fjd', ['status'])).stdout).toMatch(
        /^Rate: .+; paused, so no time left is told for 1 job$/m,
      );
      expect(JSON.parse((await home.run('fjd', ['status', '--json'])).stdout)).toMatchObject({etaSeconds: null});
      await home.run('fjd', ['resume']);
      const result = await dispatcher.result;
      expect(result.exitCode, result.stderr).toBe(0);
      expect(home.ls('done')).toEqual(['first', 'second']);
      expect(result.stdout.match(/The queue is paused/g)).toHaveLength(1);
      expect(result.stdout.match(/The queue is resumed/g)).toHaveLength(1);
      await home.run('recruiter', ['fire']);
    });
  }

  it('a watching dispatcher is told of a pause on its host at once, long before its next rescan', async () => {
    const home = makeHome('pause-watched');
    home.job('first', `[control]\nexecutable = ${fixture('hold.sh')}\n`);
    await home.run('recruiter', ['hire', '1']);
    const dispatcher = home.start('dispatcher', ['--rescan', '10m']);
    await waitUntil(() => fs.existsSync(path.join(home.dir, 'started-first')), 20_000, 'the first job to start');
    await home.run('fjd', ['pause']);
    await waitUntil(() => PAUSED_LINE.test(dispatcher.output()), 10_000, 'the dispatcher to say the queue is paused');
    await home.run('fjd', ['resume']);
    await waitUntil(
      () => dispatcher.output().includes('The queue is resumed'),
      10_000,
      'the dispatcher to say resumed',
    );
    fs.writeFileSync(path.join(home.dir, 'release'), '');
    expect((await dispatcher.result).exitCode).toBe(0);
    await home.run('recruiter', ['fire']);
  });
});
