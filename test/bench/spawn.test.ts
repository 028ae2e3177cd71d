// The long-lived spawners that the spawn benchmark measures (bench/spawners/) against what
// runJob does, so that their figures compare like with like: the exit code, stdout and stderr
// in files of mode 0600, stdin closed (/dev/null), a session of its own, only the environment
// given, a signal reported as one, a program that cannot start reported as such, and jobs
// started while others run all reported (no exit lost between two looks at the children).
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {SPAWNER_COMMANDS, spawnerClient, type SpawnJob} from '../../bench/spawners/client.mjs';
import {makeHome} from '../helpers/home.js';

const PATH = '/usr/bin:/bin';

describe.each(SPAWNER_COMMANDS)('%s', (name, command, args, framing) => {
  // bash cannot report a signal or an exec failure as such: its job runs through setsid from a
  // subshell, whose $? is 128+N for a signal and 127 for a program that cannot start.
  const isBash = command === 'bash';
  const available = spawnSync(command, ['--version'], {stdio: 'ignore'}).status === 0;

  it('runs jobs as runJob does, and reports how each ended', async (context) => {
    if (!available) {
      console.log(`spawn.test: ${name} skipped, ${command} does not run here`);
      context.skip();
      return;
    }
    const dir = makeHome('spawner').dir;
    const spec = (label: string, env: Record<string, string> = {PATH}): SpawnJob => ({
      cwd: dir,
      env,
      stdoutFile: path.join(dir, `${label}.out`),
      stderrFile: path.join(dir, `${label}.err`),
    });
    const client = spawnerClient(command, args, framing);
    try {
      const streams = client.start('streams', spec('streams'), ['/bin/sh', '-c', 'echo out; echo err >&2; exit 3']);
      expect(await streams.ended).toBe('code 3');
      expect(fs.readFileSync(path.join(dir, 'streams.out'), 'utf8')).toBe('out\n');
      expect(fs.readFileSync(path.join(dir, 'streams.err'), 'utf8')).toBe('err\n');
      expect(fs.statSync(path.join(dir, 'streams.out')).mode & 0o777).toBe(0o600);

      // `cat` ends at once only if its stdin is closed; the session id is field 6 of its stat.
      const session = client.start('session', spec('session'), ['/bin/sh', '-c', 'cat; exec cat /proc/self/stat']);
      expect(await session.ended).toBe('code 0');
      const pid = await session.started;
      const stat = fs.readFileSync(path.join(dir, 'session.out'), 'utf8');
      expect(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[3])).toBe(pid);

      const env = client.start('env', spec('env', {PATH, FJD_X: 'y z'}), ['/bin/sh', '-c', 'echo "$FJD_X"; env']);
      expect(await env.ended).toBe('code 0');
      const lines = fs.readFileSync(path.join(dir, 'env.out'), 'utf8').split('\n');
      expect(lines[0]).toBe('y z');
      expect(lines.filter((l) => /^(HOME|USER|FJD_HOME)=/.test(l))).toEqual([]);

      if (!isBash) {
        const killed = client.start('signal', spec('signal'), ['/bin/sh', '-c', 'kill -TERM $$']);
        expect(await killed.ended).toBe('signal 15');
        const missing = client.start('missing', spec('missing'), [path.join(dir, 'no-such-program')]);
        expect(await missing.ended).toMatch(/^E /);
        expect(await missing.started).toBeUndefined();
      }

      // 40 short jobs, 2 at a time: every end is reported.
      let next = 0;
      const lane = async () => {
        while (next < 40) {
          const i = next++;
          await client.run(`many${i}`, spec(`many${i}`), ['/bin/true']);
        }
      };
      await Promise.all([lane(), lane()]);
    } finally {
      await client.close();
    }
  }, 60_000);
});
