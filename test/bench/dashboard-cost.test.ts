// What fjd dashboard costs (bench/dashboard-cost.mjs), small: a dispatch with the page's poll
// answered every second, and a home of 5,000 ended jobs whose page loads well within the
// issue's 2 s and whose server stays within 200 MB. The full figures (100,000 jobs, five
// rounds) are in the README, from `npm run bench -- --only=dashboard`.
import {afterAll, expect, it} from 'vitest';
import {removeRoot} from '../../bench/harness.mjs';
import {dashboardLines, dashboardScenario} from '../../bench/dashboard-cost.mjs';

afterAll(() => removeRoot());

it('a polled dashboard answers during a dispatch; on 5,000 ended jobs its page loads within 2 s and 200 MB', async () => {
  const config = {jobs: 100, rounds: 1, pollSeconds: 1, homeJobs: 5000};
  const cost = await dashboardScenario(config);
  expect(cost.polls).toBeGreaterThanOrEqual(1);
  expect(cost.alone).toBeGreaterThan(0);
  expect(cost.polled).toBeGreaterThan(0);
  expect(cost.firstLoadMs).toBeLessThan(2000);
  expect(cost.reloadMs).toBeLessThan(2000);
  expect(cost.peakRssMb).toBeLessThan(200);
  expect(cost.statusBytes).toBeGreaterThan(5000 * 50);
  expect(dashboardLines(cost, config).join('\n')).toContain('page load on 5000 ended jobs');
}, 120_000);
