// What `fjd dashboard` shows, from `fjd status`'s data, as the functions its server calls
// (src/dashboard/server.ts: DashboardSource). The page's poll gets the status without the
// ended jobs one by one (they are counted) and the first open jobs, with why the first of
// them wait; the report's CSV is `fjd report`'s.
import path from 'node:path';
import type {HomePaths} from '../home/layout.js';
import {collectStatus} from '../status/status.js';
import {whyWaiting} from '../status/why-waiting.js';
import type {DashboardSource} from '../dashboard/server.js';
import {reportLines} from '../status/report.js';
import {warn} from './common.js';

// The open jobs the page's poll lists one by one (all are counted).
const OPEN_LISTED = 200;
// The warnings of one report (a record or job file it cannot read) said on stderr.
const MAX_WARNINGS = 20;

export function dashboardSource(paths: HomePaths): DashboardSource {
  return {
    status: () => collectStatus(paths.root, Date.now(), process.env, {listEnded: true}),
    overview: (heldShown) => {
      const report = collectStatus(paths.root, Date.now(), process.env, {listEnded: false});
      const open = report.jobs.filter((job) => job.state === 'open');
      const held = open
        .slice(0, heldShown)
        .map((job) => ({name: job.name, file: job.file, waiting: whyWaiting(paths, path.join(paths.root, job.file))}));
      const listed = new Set(open.slice(0, OPEN_LISTED));
      return {status: {...report, jobs: report.jobs.filter((job) => job.state !== 'open' || listed.has(job))}, held};
    },
    // `fjd report --format csv`'s lines.
    reportCsv: () => {
      let warnings = 0;
      const said = (message: string): void => {
        if (++warnings <= MAX_WARNINGS) warn('fjd dashboard', `report.csv: warning: ${message}`);
      };
      return reportLines(paths, {format: 'csv', allAttempts: false, warn: said});
    },
  };
}
