// The dashboard's page in a real headless Chromium, on a real run: it loads with no console
// error, shows the counts of `fjd status --json`, the failed job with its reason and output,
// a point per minute of the run on the chart, the worker by host and the job held back, and
// its numbers change when a job ends. The screenshot is kept in test-artifacts/.
import fs from 'node:fs';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import type {Page} from 'playwright-core';
import {makeHome} from '../helpers/home.js';
import {fixture} from '../helpers/fixtures.js';
import {REPO} from '../helpers/paths.js';
import {statusOf} from '../helpers/status.js';
import {waitUntil} from '../helpers/wait.js';
import {startDashboard} from '../helpers/dashboard.js';
import {launchChromium} from '../helpers/browser.js';

const ARTIFACTS = path.join(REPO, 'test-artifacts');
const launched = await launchChromium();
if ('why' in launched) console.warn(`skipping the dashboard's page tests: ${launched.why}`);

afterAll(async () => {
  if ('browser' in launched) await launched.browser.close();
});

// The minutes (ms since the epoch) in which the ended jobs of the home ended, first to last.
function minutesOfRun(home: string): number {
  const minutes = ['done', 'failed'].flatMap((dir) =>
    fs
      .readdirSync(path.join(home, dir))
      .map((name) => Math.floor(fs.statSync(path.join(home, dir, name)).ctimeMs / 60_000)),
  );
  return Math.max(...minutes) - Math.min(...minutes) + 1;
}

const countOf = async (page: Page, state: string): Promise<number> =>
  Number(await page.getAttribute(`#count-${state}`, 'data-count'));

describe.skipIf('why' in launched)('the dashboard page in Chromium', () => {
  it('shows the run as fjd status --json does, and follows it as a job ends', async () => {
    if (!('browser' in launched)) return;
    const home = makeHome('dashboard-page');
    home.job('ok', `[control]\nexecutable = ${fixture('fail.sh')} 0\n`);
    home.job('bad', `[control]\nexecutable = ${fixture('fail.sh')} 4\n`);
    expect((await home.run('recruiter', ['hire', '1'])).exitCode).toBe(0);
    expect((await home.run('dispatcher', [])).exitCode).toBe(1);
    // One job runs until released; with the one slot taken, the other is held back.
    home.job('held', `[control]\nexecutable = ${fixture('hold.sh')}\n`);
    home.job('waiting', `[control]\nexecutable = ${fixture('fail.sh')} 0\n`);
    const dispatcher = home.start('dispatcher', []);
    await waitUntil(() => fs.existsSync(path.join(home.dir, 'started-held')), 20_000, 'the held job to start');
    await waitUntil(async () => (await statusOf(home)).counts.running === 1, 10_000, 'fjd status to say running');
    const dashboard = await startDashboard(home);
    const context = await launched.browser.newContext({viewport: {width: 1100, height: 1000}});
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(dashboard.url);
      await page.waitForSelector('body[data-updated]', {timeout: 20_000});

      const status = await statusOf(home);
      expect(status.counts).toEqual({open: 1, assigned: 0, running: 1, finished: 1, failed: 1});
      for (const state of Object.keys(status.counts))
        expect(await countOf(page, state), state).toBe(status.counts[state]);

      const failed = page.locator('#failed tr.job');
      expect(await failed.count()).toBe(1);
      expect(await failed.first().textContent()).toMatch(/^bad.*exit code 4/);
      await failed.first().click();
      await page.waitForSelector('#failed pre.stderr', {timeout: 10_000});
      expect(await page.textContent('#failed pre.stderr')).toBe('trouble in bad\n');
      expect(await page.textContent('#failed pre.stdout')).toBe('out of bad\n');

      // A bar for each minute, of the jobs ended in it.
      const points = page.locator('#chart g.point');
      expect(await points.count()).toBe(minutesOfRun(home.dir));
      const ended = await points.evaluateAll((bars) =>
        bars.map((bar) => Number(bar.getAttribute('data-finished')) + Number(bar.getAttribute('data-failed'))),
      );
      expect(ended.reduce((sum, n) => sum + n, 0)).toBe(2);

      const worker = status.workers[0];
      const host = page.locator(`#hosts .host[data-host="${worker?.host ?? ''}"]`);
      expect(await host.textContent()).toMatch(
        /1 of 1 slots busy.*busy · 1\/1 slots · heartbeat \d+ s ago · runs held/,
      );
      expect(await page.textContent('#held tbody')).toContain('waiting');
      expect(await page.textContent('#held tbody')).toContain('no worker free (1 of 1 busy)');
      expect(await page.getAttribute('#report', 'href')).toBe('/report.csv');

      fs.mkdirSync(ARTIFACTS, {recursive: true});
      await page.screenshot({path: path.join(ARTIFACTS, 'dashboard.png'), fullPage: true});

      // The held job ends, then the one that waited: the page follows within a few seconds.
      fs.writeFileSync(path.join(home.dir, 'release'), '');
      await waitUntil(async () => (await countOf(page, 'finished')) === 3, 20_000, 'the page to show 3 finished');
      expect(await countOf(page, 'running')).toBe(0);
      expect(await countOf(page, 'open')).toBe(0);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
      expect(await dashboard.stop()).toBe(0);
    }
    expect((await dispatcher.result).exitCode).toBe(0);
  });
});
