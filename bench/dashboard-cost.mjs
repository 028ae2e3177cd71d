// What `fjd dashboard` costs a run (issue 18): dispatching N trivial jobs on 2 pre-hired
// workers, alone and with a dashboard serving its page's poll (/api/overview, what the page
// fetches every 2 s) every `pollSeconds`, in interleaved rounds: the ratio of the medians. And
// on a home of `homeJobs` ended jobs (ended-home.mjs builds it): how long the page takes to
// load, its first load (which stats every ended entry once) and a reload, by HTTP (the page,
// its script and style, and its data) and, where Chromium starts, in a browser until the page
// shows its data; /api/status (all of `fjd status --json`) once; and the server's peak RSS.
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import {BIN, fjd, freshHome, log, median, waitFor} from './harness.mjs';
import {statusKb} from './processes.mjs';
import {writeEndedHome} from './ended-home.mjs';

function writeJobs(home, count) {
  const text = '[control]\nexecutable = true\n';
  const past = new Date(Date.now() - 5000);
  for (let i = 0; i < count; i++) {
    const file = path.join(home, 'jobqueue', `job${String(i).padStart(6, '0')}`);
    fs.writeFileSync(file, text);
    fs.utimesSync(file, past, past);
  }
}

function get(port, target) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    http
      .get({host: '127.0.0.1', port, path: target}, (res) => {
        let bytes = 0;
        res.on('data', (chunk) => (bytes += chunk.length));
        res.on('end', () =>
          res.statusCode === 200
            ? resolve({ms: performance.now() - started, bytes})
            : reject(new Error(`GET ${target}: ${res.statusCode}`)),
        );
      })
      .on('error', reject);
  });
}

// Starts `fjd dashboard --port 0` on `home`; resolves to its pid, port and a stop().
async function startDashboard(home) {
  const child = spawn(path.join(BIN, 'fjd'), ['dashboard', '--home', home, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let printed = '';
  child.stdout.on('data', (chunk) => (printed += chunk));
  await waitFor(() => /Ctrl-C stops it/.test(printed), 20_000, 'fjd dashboard to listen');
  const port = Number(/127\.0\.0\.1:(\d+)\//.exec(printed)[1]);
  const stop = () =>
    new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGINT');
    });
  return {pid: child.pid, port, stop};
}

// One dispatch of `jobs` trivial jobs; with `poll`, a dashboard polled every pollSeconds.
async function dispatchOnce(jobs, pollSeconds, poll) {
  const home = freshHome(poll ? 'dashboard-polled' : 'dashboard-alone');
  writeJobs(home, jobs);
  fjd('recruiter', ['hire', '2'], home);
  const dashboard = poll ? await startDashboard(home) : undefined;
  let polls = 0;
  let timer;
  let stopped = false;
  if (dashboard !== undefined) {
    const tick = () =>
      get(dashboard.port, '/api/overview')
        .then(() => polls++)
        .catch((error) => {
          if (!stopped) throw error;
        })
        .finally(() => {
          if (!stopped) timer = setTimeout(tick, pollSeconds * 1000);
        });
    await tick();
  }
  const started = performance.now();
  const code = await new Promise((resolve) => {
    const child = spawn(path.join(BIN, 'dispatcher'), ['--quiet', '--home', home], {stdio: 'ignore'});
    child.on('exit', resolve);
  });
  const seconds = (performance.now() - started) / 1000;
  stopped = true;
  clearTimeout(timer);
  await dashboard?.stop();
  fjd('recruiter', ['fire'], home);
  if (code !== 0) throw new Error(`the dispatcher of ${home} exited ${code}`);
  return {rate: jobs / seconds, polls};
}

// Until the page shows its data, in a fresh Chromium page; undefined where Chromium does not start.
async function browserLoads(port, times) {
  let chromium;
  try {
    ({chromium} = await import('playwright-core'));
  } catch {
    return undefined;
  }
  const executablePath = process.env.FJD_CHROMIUM ?? '/usr/bin/chromium';
  let browser;
  try {
    browser = await chromium.launch({executablePath, args: ['--no-sandbox']});
  } catch (error) {
    log(`  (no browser load time: Chromium does not start: ${String(error.message).split('\n')[0]})`);
    return undefined;
  }
  try {
    const loads = [];
    for (let i = 0; i < times; i++) {
      const page = await browser.newPage();
      const started = performance.now();
      await page.goto(`http://127.0.0.1:${port}/`);
      await page.waitForSelector('body[data-updated]', {timeout: 60_000});
      loads.push(performance.now() - started);
      await page.close();
    }
    return loads;
  } finally {
    await browser.close();
  }
}

async function pageLoad(port) {
  const parts = await Promise.all(
    ['/', '/assets/dashboard.js', '/assets/dashboard.css', '/api/overview'].map((p) => get(port, p)),
  );
  return {ms: Math.max(...parts.map((p) => p.ms)), bytes: parts.reduce((sum, p) => sum + p.bytes, 0)};
}

export async function dashboardScenario({jobs, rounds, pollSeconds, homeJobs}) {
  const alone = [];
  const polled = [];
  let polls = 0;
  for (let round = 0; round < rounds; round++) {
    for (const poll of round % 2 === 0 ? [false, true] : [true, false]) {
      const run = await dispatchOnce(jobs, pollSeconds, poll);
      (poll ? polled : alone).push(run.rate);
      polls += run.polls;
      log(`  round ${round + 1}: ${poll ? 'with the dashboard polled' : 'alone'} ${run.rate.toFixed(0)} jobs/s`);
    }
  }
  const home = freshHome('dashboard-ended');
  log(`  writing a home of ${homeJobs} ended jobs…`);
  writeEndedHome(home, homeJobs);
  const starting = performance.now();
  const dashboard = await startDashboard(home);
  const startMs = performance.now() - starting;
  try {
    const first = await pageLoad(dashboard.port);
    const reloads = [];
    for (let i = 0; i < 3; i++) reloads.push((await pageLoad(dashboard.port)).ms);
    const browser = await browserLoads(dashboard.port, 3);
    const status = await get(dashboard.port, '/api/status');
    const peakRssMb = statusKb(dashboard.pid, 'VmHWM') / 1024;
    return {
      alone: median(alone),
      polled: median(polled),
      polls,
      homeJobs,
      startMs,
      firstLoadMs: first.ms,
      pageBytes: first.bytes,
      reloadMs: median(reloads),
      browserMs: browser === undefined ? null : median(browser),
      browserFirstMs: browser === undefined ? null : browser[0],
      statusMs: status.ms,
      statusBytes: status.bytes,
      peakRssMb,
    };
  } finally {
    await dashboard.stop();
  }
}

export function dashboardLines(r, config) {
  const slower = 100 * (1 - r.polled / r.alone);
  const change = slower >= 0 ? `${slower.toFixed(1)}% slower` : `${(-slower).toFixed(1)}% faster`;
  return [
    `| fjd dashboard (${config.rounds} rounds of ${config.jobs} jobs, 2 workers; polled every ${config.pollSeconds} s) | measured |`,
    '|---|---|',
    `| dispatching alone / with the page polled (medians) | ${r.alone.toFixed(0)} / ${r.polled.toFixed(0)} jobs/s: ${change} (target: at most 5% slower) |`,
    `| polls answered during those runs | ${r.polls} |`,
    `| fjd dashboard's start on ${r.homeJobs} ended jobs, until it listens (it stats each once) | ${r.startMs.toFixed(0)} ms |`,
    `| page load on ${r.homeJobs} ended jobs, first (after the server's start) / reload (HTTP: page, script, style, data) | ${r.firstLoadMs.toFixed(0)} / ${r.reloadMs.toFixed(0)} ms, ${(r.pageBytes / 1024).toFixed(0)} KiB (target < 2 s) |`,
    `| the same in Chromium, until the page shows its data (median of 3) | ${r.browserMs === null ? 'not measured (no Chromium)' : `${r.browserMs.toFixed(0)} ms`} |`,
    `| /api/status (all of fjd status --json) | ${r.statusMs.toFixed(0)} ms, ${(r.statusBytes / 2 ** 20).toFixed(1)} MiB |`,
    `| the server's peak RSS | ${r.peakRssMb.toFixed(0)} MB (target ≤ 200 MB) |`,
    '',
  ];
}
