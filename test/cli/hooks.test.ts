// Hooks: --on-failure runs for each failed job and --on-done once the queue has drained, with
// what they need in their environment; a failing hook is reported and affects no job.
import fs from 'node:fs';
import path from 'node:path';
import {expect, it} from 'vitest';
import {makeHome} from '../helpers/home.js';
import {fixture} from '../helpers/fixtures.js';
import {isRunning} from '../helpers/processes.js';
import {waitUntil} from '../helpers/wait.js';

it('--on-failure runs for each failed job and --on-done once at the end, with the documented environment', async () => {
  const home = makeHome('hooks');
  home.job('ok1', `[control]\nexecutable = ${fixture('fail.sh')} 0\n`);
  home.job('ok2', `[control]\nexecutable = ${fixture('fail.sh')} 0\n`);
  home.job('bad3', `[control]\nexecutable = ${fixture('fail.sh')} 3\n`);
  home.job('bad4', `[control]\nexecutable = ${fixture('fail.sh')} 4\n`);
  await home.run('recruiter', ['hire', '2']);
  const result = await home.run('dispatcher', [
    '--on-failure',
    `printf '%s|%s|%s|%s|%s|%s\\n' "$FJD_JOB_ID" "$FJD_JOB_NAME" "$FJD_JOB_REASON" "$FJD_JOB_RECORD" "$FJD_JOB_FILE" "$FJD_HOME" >> on-failure.txt`,
    '--on-done',
    `printf '%s|%s|%s|%s|%s|%s\\n' "$FJD_FINISHED" "$FJD_FAILED" "$FJD_REQUEUED" "$FJD_HALTED" "$FJD_HOME" "$FJD_FAILED_JOBS" > on-done.txt; echo drained`,
  ]);
  expect(result.exitCode, result.stdout + result.stderr).toBe(1);
  const failures = home.read('on-failure.txt').split('\n').filter(Boolean).sort();
  const record = (id: string): string => path.join(home.dir, '.fjd', 'records', `${id}.json`);
  const file = (id: string): string => path.join(home.dir, 'failed', id);
  expect(failures).toEqual([
    `bad3|bad3|exit code 3|${record('bad3')}|${file('bad3')}|${home.dir}`,
    `bad4|bad4|exit code 4|${record('bad4')}|${file('bad4')}|${home.dir}`,
  ]);
  for (const id of ['bad3', 'bad4']) expect(fs.existsSync(record(id)) && fs.existsSync(file(id))).toBe(true);
  const [counts, ...failedJobs] = home.read('on-done.txt').split('\n').filter(Boolean);
  expect(counts?.split('|').slice(0, 5)).toEqual(['2', '2', '0', '', home.dir]);
  expect([counts?.split('|')[5], ...failedJobs].sort()).toEqual(['bad3', 'bad4']);
  expect(result.stdout).toContain('--on-done: drained');
});

it('a hook that fails or hangs is reported, and every job still ends where it should', async () => {
  const home = makeHome('hooks-failing');
  home.job('bad', `[control]\nexecutable = ${fixture('fail.sh')} 2\n`);
  home.job('good', `[control]\nexecutable = ${fixture('fail.sh')} 0\n`);
  await home.run('recruiter', ['hire', '1']);
  const result = await home.run('dispatcher', [
    '--on-failure',
    'echo cannot >&2; exit 5',
    '--on-done',
    'sleep 30',
    '--hook-timeout',
    '1s',
  ]);
  expect(result.exitCode, result.stdout + result.stderr).toBe(1);
  expect(result.stderr).toContain('--on-failure: cannot');
  expect(result.stderr).toContain(
    'dispatcher: warning: the --on-failure hook failed (exit code 5); no job is affected',
  );
  expect(result.stderr).toContain(
    'dispatcher: warning: the --on-done hook failed (it ran longer than 1 s and was stopped); no job is affected',
  );
  expect(home.ls('done')).toEqual(['good']);
  expect(home.ls('failed')).toEqual(['bad']);
  expect(home.record('bad')).toMatchObject({state: 'failed', reason: 'exit code 2'});
});

it('across a dispatcher killed mid-run, each failed job gets --on-failure once, a failure from before the hooks none', async () => {
  const home = makeHome('hooks-restart');
  const job = (seconds: string, code: number, priority: number): string =>
    `[control]\nexecutable = ${fixture('mark.sh')} ${seconds} ${code}\npass_job_file = no\npriority = ${priority}\n`;
  // A failure from an earlier run without hooks: no hook is owed for it.
  home.job('old', job('-', 9, 0));
  await home.run('recruiter', ['hire', '1']);
  expect((await home.run('dispatcher', [])).exitCode).toBe(1);
  home.job('bad1', job('-', 1, 3));
  // It fails while no dispatcher runs.
  home.job('bad2', job('2', 2, 2));
  home.job('ok1', job('-', 0, 1));
  home.job('bad3', job('-', 3, 0));
  const hooks = [
    '--on-failure',
    'echo "$FJD_JOB_ID" >> on-failure.txt',
    '--on-done',
    'echo "$FJD_FAILED $FJD_FINISHED" >> on-done.txt',
  ];
  const first = home.start('dispatcher', hooks);
  const hooked = (): string[] => {
    try {
      return home.read('on-failure.txt').split('\n').filter(Boolean).sort();
    } catch {
      return [];
    }
  };
  await waitUntil(
    () => hooked().includes('bad1') && home.read('marks.txt').includes('bad2 start'),
    30_000,
    'bad1 hooked and bad2 started',
  );
  first.signal('SIGKILL');
  await first.result;
  await waitUntil(() => home.ls('failed').includes('bad2'), 30_000, 'bad2 to fail with no dispatcher');
  const second = await home.run('dispatcher', hooks);
  expect(second.exitCode, second.stdout + second.stderr).toBe(1);
  expect(second.stdout).toContain('Job bad2 failed: exit code 2');
  expect(hooked()).toEqual(['bad1', 'bad2', 'bad3']);
  expect(home.read('on-done.txt')).toBe('2 1\n');
  expect(home.ls('failed').sort()).toEqual(['bad1', 'bad2', 'bad3', 'old']);
});

it("a hook's stdout goes to stdout and its stderr to stderr; --on-failure's lines come before the summary, --on-done's after it", async () => {
  const home = makeHome('hooks-order');
  home.job('bad', `[control]\nexecutable = ${fixture('fail.sh')} 3\n`);
  home.job('good', `[control]\nexecutable = ${fixture('fail.sh')} 0\n`);
  await home.run('recruiter', ['hire', '1']);
  // A slow --on-failure hook: it is still running when the queue has drained.
  const result = await home.run('dispatcher', [
    '--fire-when-done',
    '--on-failure',
    'sleep 1; echo "out $FJD_JOB_ID"; echo "err $FJD_JOB_ID" >&2',
    '--on-done',
    'echo "out done"; echo "err done" >&2; exit 4',
  ]);
  expect(result.exitCode, result.stdout + result.stderr).toBe(1);
  const out = result.stdout.split('\n');
  const at = (line: string): number => out.findIndex((l) => l.startsWith(line));
  expect(at('--on-failure: out bad')).toBeGreaterThan(at('Job bad failed: exit code 3'));
  expect(at('--on-failure: out bad')).toBeLessThan(at('No more jobs to dispatch.'));
  expect(at('--on-done: out done')).toBeGreaterThan(at('See why with: fjd logs bad'));
  expect(at('--on-done: out done')).toBeLessThan(at('Fired 1 worker.'));
  expect(result.stderr.split('\n')).toEqual([
    '--on-failure: err bad',
    '--on-done: err done',
    'dispatcher: warning: the --on-done hook failed (exit code 4); no job is affected',
    '',
  ]);
});

it('a hook has ended when its shell has: what it left in the background is stopped, even if it holds the output', async () => {
  const home = makeHome('hooks-background');
  home.job('bad', `[control]\nexecutable = ${fixture('fail.sh')} 3\n`);
  await home.run('recruiter', ['hire', '1']);
  // `sleep` keeps the hook's stdout and stderr open after its shell has exited 0.
  const result = await home.run('dispatcher', [
    '--on-failure',
    'sleep 120 & echo $! > background.pid; echo "told $FJD_JOB_ID"',
    '--hook-timeout',
    '30s',
  ]);
  expect(result.exitCode, result.stdout + result.stderr).toBe(1);
  expect(result.stdout).toContain('--on-failure: told bad\n');
  expect(result.stderr).not.toContain('hook failed');
  expect(isRunning(Number(home.read('background.pid')))).toBe(false);
});

it('a hook that floods its output has the first MiB of each stream shown, and the rest counted', async () => {
  const home = makeHome('hooks-flood');
  home.job('bad', `[control]\nexecutable = ${fixture('fail.sh')} 3\n`);
  await home.run('recruiter', ['hire', '1']);
  // 2 MiB of 64-byte lines on stdout, 3 bytes more than 1 MiB on stderr.
  const line = 'x'.repeat(63);
  const flood = `yes ${line} | head -c 2097152; yes ${line} | head -c 1048579 >&2`;
  const result = await home.run('dispatcher', ['--on-failure', flood]);
  expect(result.exitCode).toBe(1);
  const shown = (text: string): string[] => text.split('\n').filter((l) => l.startsWith('--on-failure: x'));
  expect(shown(result.stdout)).toHaveLength(16384);
  // On stderr the cut falls after 16384 whole lines: the 3 bytes after them are counted, not shown.
  expect(shown(result.stderr)).toHaveLength(16384);
  expect(result.stderr).toContain(
    'dispatcher: warning: the --on-failure hook printed more than 1 MiB on stdout; the 1048576 bytes after it are not shown\n',
  );
  expect(result.stderr).toContain(
    'dispatcher: warning: the --on-failure hook printed more than 1 MiB on stderr; the 3 bytes after it are not shown\n',
  );
  expect(result.stderr).not.toContain('hook failed');
});
