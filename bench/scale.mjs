// The scale scenario: a backlog of `backlog` jobs written before anything starts, run by 2
// hired slots and a dispatcher: how long until the first job starts, the rate of the first
// jobs against that of the last ones (and of every window between, for the JSON), and the
// dispatcher's peak RSS.
import fs from 'node:fs';
import path from 'node:path';
import {dispatcherEnd, fjd, freshHome, log, nowNs, spawnDispatcher, writeJobs} from './harness.mjs';
import {statusKb} from './processes.mjs';

export async function scaleScenario({backlog}) {
  const home = freshHome('scale');
  log(`  writing ${backlog} job files…`);
  writeJobs(home, backlog, "sh -c 'date +%%s%%N'");
  fjd('recruiter', ['hire', '2'], home);
  const startedNs = nowNs();
  const dispatcher = spawnDispatcher(home, ['--quiet']);
  let peakKb = 0;
  const sampler = setInterval(() => {
    try {
      peakKb = Math.max(peakKb, statusKb(dispatcher.pid, 'VmHWM'));
    } catch {
      // it has ended
    }
  }, 100);
  await dispatcherEnd(dispatcher);
  clearInterval(sampler);
  fjd('recruiter', ['fire'], home);
  const starts = [];
  for (const name of fs.readdirSync(path.join(home, '.fjd', 'output'))) {
    if (name.endsWith('.out'))
      starts.push(BigInt(fs.readFileSync(path.join(home, '.fjd', 'output', name), 'utf8').trim()));
  }
  if (starts.length !== backlog) throw new Error(`only ${starts.length} of ${backlog} jobs ran`);
  starts.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const span = (from, to) => Number(starts[to] - starts[from]) / 1e9;
  const n = Math.min(2000, Math.floor(backlog / 4));
  const firstRate = (n - 1) / span(0, n - 1);
  const lastRate = (n - 1) / span(starts.length - n, starts.length - 1);
  // The rate over every window of n jobs, for the JSON: where along the backlog it changes.
  const windowRates = [];
  for (let from = 0; from + n <= starts.length; from += n)
    windowRates.push(Math.round((n - 1) / span(from, from + n - 1)));
  log(`  rates per ${n} jobs: ${windowRates.join(' ')}`);
  return {
    firstStartMs: Number(starts[0] - startedNs) / 1e6,
    firstRate,
    lastRate,
    windowRates,
    peakRssMb: peakKb / 1024,
  };
}
