import {describe, expect, it} from 'vitest';
import {makeHome, type TestHome} from '../helpers/home.js';
import {fixture} from '../helpers/fixtures.js';
import {RateWindow, formatEta, liveLine, plainLine} from '../../src/cli/progress.js';

const ESC = '\x1b';
// One frame of the live line: done/total, running, failed (red when colour is on), jobs/s, ETA.
const FRAME = new RegExp(
  `^(\\d+)/(\\d+) done · \\d+ running · (?:${ESC}\\[31m)?\\d+ failed(?:${ESC}\\[39m)? · ([\\d.]+|--) jobs/s · ETA (--|\\d+ s|\\d+ min \\d+ s)$`,
);
const stripColor = (text: string): string => text.replace(new RegExp(`${ESC}\\[\\d+m`, 'g'), '');

// 30 jobs of a tenth of a second each and one that fails: on 2 workers a run of 1.5 s or more.
// The failing job is queued first, so that it goes out first (jobs go out in submission
// order) and the live line has time to show it.
function queueJobs(home: TestHome, count = 30, bad = 'bad'): void {
  home.job(bad, `[control]\nexecutable = ${fixture('fail.sh')} 3\n`);
  for (let i = 0; i < count; i++)
    home.job(`job-${String(i).padStart(2, '0')}`, '[control]\nexecutable = sleep 0.1; true\n');
}

// Runs the dispatcher under a pseudo-terminal of `cols` columns, as on a person's screen, and
// returns what the terminal received (its CR LF line ends made LF again).
async function dispatchOnTerminal(home: TestHome, cols: number, env: NodeJS.ProcessEnv, args: string[] = []) {
  const result = await home.run('dispatcher', args, {
    env: {TERM: 'xterm', ...env},
    wrap: ['sh', '-c', `exec script -qfec "stty cols ${cols}; exec $0 $*" /dev/null`],
  });
  return {...result, screen: result.stdout.replace(/\r\n/g, '\n')};
}

// The frames of the live line drawn before the summary, and the text before it.
function liveFrames(screen: string): {before: string; frames: string[]} {
  const end = screen.indexOf('No more jobs to dispatch.');
  expect(end, screen).toBeGreaterThan(0);
  const before = screen.slice(0, end);
  const frames = [
    ...before.matchAll(new RegExp(`\\r([^\\r\\n${ESC}]*(?:${ESC}\\[3\\dm[^\\r\\n${ESC}]*)*)${ESC}\\[K`, 'g')),
  ]
    .map((m) => m[1] ?? '')
    .filter((frame) => frame !== '');
  return {before, frames};
}

describe('the progress display on a terminal', () => {
  it('redraws one live line in place, never wider than the terminal, the failed count in red', async () => {
    const home = makeHome('live');
    queueJobs(home);
    await home.run('recruiter', ['hire', '2']);
    const {exitCode, screen} = await dispatchOnTerminal(home, 60, {NO_COLOR: ''});
    expect(exitCode, screen).toBe(1);
    const {before, frames} = liveFrames(screen);
    expect(frames.length, before).toBeGreaterThan(2);
    for (const frame of frames) {
      expect(frame).toMatch(FRAME);
      expect(stripColor(frame).length).toBeLessThanOrEqual(59);
    }
    // It counts up to the whole queue, and shows a rate and an ETA once jobs end.
    expect(
      frames.some((frame) => /^\d+\/31 done/.test(frame) && !frame.includes('-- jobs/s') && !frame.endsWith('ETA --')),
      frames.join('\n'),
    ).toBe(true);
    // No line of the live display ever ends with a newline: what stays on each finished line
    // (the text after its last \r) is never the live line.
    for (const line of before.split('\n')) expect(line.slice(line.lastIndexOf('\r') + 1)).not.toMatch(/ done · /);
    // The live line is erased before the summary, which follows on a clean line.
    expect(before.endsWith(`\r${ESC}[K`)).toBe(true);
    // The failure is printed on a line of its own (above the live line, if that is drawn yet),
    // in red, and the count is red too.
    expect(screen).toMatch(new RegExp(`(\\r${ESC}\\[K|\\n)Job bad ${ESC}\\[31mfailed${ESC}\\[39m: exit code 3\\n`));
    expect(frames.some((frame) => frame.includes(`${ESC}[31m1 failed${ESC}[39m`))).toBe(true);
    expect(screen).toMatch(/^Finished: 30, failed: 1, wall time [\d.]+ s\.$/m);
    expect(screen).toContain('See why with: fjd logs bad   (and fjd status bad for its record)\n');
  });

  it('uses no colour with NO_COLOR, and short words or a cut on a narrow terminal', async () => {
    const home = makeHome('no-color');
    queueJobs(home);
    await home.run('recruiter', ['hire', '2']);
    const {exitCode, screen} = await dispatchOnTerminal(home, 40, {NO_COLOR: '1'});
    expect(exitCode, screen).toBe(1);
    // No escape code at all but erase-to-end-of-line.
    expect(screen).not.toMatch(new RegExp(`${ESC}\\[3`));
    expect(
      screen
        .split(ESC)
        .slice(1)
        .every((rest) => rest.startsWith('[K')),
    ).toBe(true);
    const {frames} = liveFrames(screen);
    expect(frames.length).toBeGreaterThan(2);
    for (const frame of frames) {
      expect(frame.length).toBeLessThanOrEqual(39);
      expect(frame).toMatch(/^\d+\/31 · \d+ run · \d+ failed/);
    }
    expect(screen).toContain('Job bad failed: exit code 3\n');
  });

  it('shows no live line and no chatter with --quiet, only failures and the summary', async () => {
    const home = makeHome('quiet-tty');
    queueJobs(home, 10);
    await home.run('recruiter', ['hire', '2']);
    const {exitCode, screen} = await dispatchOnTerminal(home, 80, {NO_COLOR: ''}, ['--quiet']);
    expect(exitCode, screen).toBe(1);
    expect(screen).not.toContain('\r');
    expect(screen).not.toContain(' done');
    expect(screen).not.toContain('Dispatcher started.');
    expect(screen).toMatch(/^Job bad .*failed.*: exit code 3$/m);
    expect(screen).toMatch(/^Finished: 10, failed: 1, /m);
    expect(screen).toContain('See why with: fjd logs bad');
  });
});

describe('the progress display without a terminal', () => {
  it('counts the jobs running, not the workers running them: one worker of 2 slots runs 2', async () => {
    const home = makeHome('plain-slots');
    for (let i = 0; i < 4; i++) home.job(`long-${i}`, '[control]\nexecutable = sleep 1.5; true\n');
    expect((await home.run('recruiter', ['hire', '2'])).exitCode).toBe(0);
    const result = await home.run('dispatcher', ['--progress-interval', '300ms']);
    expect(result.exitCode, result.stderr).toBe(0);
    const running = result.stdout
      .split('\n')
      .filter((line) => line.startsWith('Progress:'))
      .map((line) => Number(/, (\d+) running,/.exec(line)?.[1]));
    expect(running.length, result.stdout).toBeGreaterThan(0);
    expect(Math.max(...running), result.stdout).toBe(2);
  });

  it('prints a plain progress line now and then, each failure with its reason, and a summary naming them', async () => {
    const home = makeHome('plain');
    queueJobs(home);
    await home.run('recruiter', ['hire', '2']);
    const result = await home.run('dispatcher', ['--progress-interval', '300ms']);
    expect(result.exitCode, result.stderr).toBe(1);
    const out = result.stdout;
    expect(out).not.toContain('\r');
    expect(out).not.toContain(ESC);
    const progress = out.split('\n').filter((line) => line.startsWith('Progress:'));
    expect(progress.length, out).toBeGreaterThan(0);
    for (const line of progress) {
      expect(line).toMatch(
        /^Progress: \d+\/31 done, \d+ running, \d+ failed, ([\d.]+|--) jobs\/s, ETA (--|\d+ s|\d+ min \d+ s)\.$/,
      );
    }
    expect(out).toContain('Job bad failed: exit code 3\n');
    expect(out).toMatch(/^Finished: 30, failed: 1, wall time [\d.]+ s\.$/m);
    expect(out).toContain('Failed jobs: bad (exit code 3).\n');
    expect(out).toContain('See why with: fjd logs bad   (and fjd status bad for its record)\n');
  });

  it('prints no progress line and no chatter with --quiet', async () => {
    const home = makeHome('quiet');
    queueJobs(home, 10, "it's bad");
    await home.run('recruiter', ['hire', '2']);
    const result = await home.run('dispatcher', ['--quiet', '--progress-interval', '200ms']);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).not.toContain('Progress:');
    expect(result.stdout).not.toContain('Dispatcher started.');
    expect(result.stdout.split('\n')[0]).toBe("Job it's bad failed: exit code 3");
    // The command to paste is quoted for the shell.
    expect(result.stdout).toContain(
      `See why with: fjd logs 'it'\\''s bad'   (and fjd status 'it'\\''s bad' for its record)\n`,
    );
  });

  it('keeps the test-only --progress-interval out of --help', async () => {
    const home = makeHome('help');
    const help = await home.run('dispatcher', ['--help']);
    expect(help.stdout).toContain('--quiet');
    expect(help.stdout).not.toContain('--progress-interval');
  });
});

describe('the figures', () => {
  const counts = {open: 90_000, assigned: 4, running: 2, finished: 9_993, failed: 3};

  it('writes counts with thousands separators and the time left in words', () => {
    expect(plainLine(counts, 412)).toBe(
      'Progress: 9,993/100,000 done, 2 running, 3 failed, 412 jobs/s, ETA 3 min 39 s.',
    );
    expect(plainLine(counts, undefined)).toBe('Progress: 9,993/100,000 done, 2 running, 3 failed, -- jobs/s, ETA --.');
    expect(formatEta(21_000)).toBe('21 s');
    expect(formatEta(3 * 3_600_000 + 300_000)).toBe('3 h 5 min');
    expect(liveLine(counts, 412, 200, false)).toBe(
      '9,993/100,000 done · 2 running · 3 failed · 412 jobs/s · ETA 3 min 39 s',
    );
    expect(liveLine(counts, 412, 30, false)).toHaveLength(30);
  });

  it('tells no time left while the queue is paused or the run halted, and says which', () => {
    expect(plainLine({...counts, held: 'paused'}, 412)).toBe(
      'Progress: 9,993/100,000 done, 2 running, 3 failed, 412 jobs/s, ETA paused.',
    );
    expect(liveLine({...counts, held: 'halted'}, 412, 200, false)).toBe(
      '9,993/100,000 done · 2 running · 3 failed · 412 jobs/s · ETA halted',
    );
  });

  it('measures jobs per second over the last 30 s, or over the last ten jobs when they are slow', () => {
    const fast = new RateWindow(0);
    for (let t = 1000; t <= 60_000; t += 1000) fast.note(t, t < 30_000 ? t / 100 : 290 + ((t - 29_000) / 1000) * 100);
    // 10 jobs/s for 29 s, then 100 jobs/s: the last 30 s see only the fast part.
    expect(fast.rate(60_000, 290 + 31 * 100)).toBeCloseTo(100, 0);
    const slow = new RateWindow(0);
    for (let n = 1; n <= 12; n++) slow.note(n * 60_000, n);
    // One job a minute: no completion in the last 30 s, yet a rate of 1/60.
    expect(slow.rate(12 * 60_000 + 20_000, 12)).toBeCloseTo(10 / 620, 5);
    expect(new RateWindow(0).rate(5000, 0)).toBeUndefined();
  });
});
