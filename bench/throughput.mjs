// The throughput scenario: config.jobs trivial jobs (`true`) on 2 pre-hired workers, against
// GNU parallel -j2 and xargs -P2, in config.rounds interleaved rounds (in a different order
// each round, so that a noisy moment hits all alike). Returns every round's jobs per second.
import {spawnSync} from 'node:child_process';
import {fjd, freshHome, writeJobs} from './harness.mjs';

function throughputFjd(jobs) {
  const home = freshHome('throughput');
  writeJobs(home, jobs, 'true');
  fjd('recruiter', ['hire', '2'], home);
  const started = performance.now();
  const result = fjd('dispatcher', ['--quiet'], home);
  const seconds = (performance.now() - started) / 1000;
  fjd('recruiter', ['fire'], home);
  if (
    !/^Finished: (\d+), failed: 0/m.test(result.stdout) ||
    Number(/^Finished: (\d+)/m.exec(result.stdout)[1]) !== jobs
  ) {
    throw new Error(`fjd did not finish all jobs: ${result.stdout}`);
  }
  return jobs / seconds;
}

// `command args… true` with one line of input a job, as GNU parallel and xargs take them.
function throughputOf(command, args, jobs) {
  const input = Array.from({length: jobs}, (_, i) => String(i)).join('\n');
  const started = performance.now();
  const result = spawnSync(command, [...args, 'true'], {input, encoding: 'utf8'});
  if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr}`);
  return jobs / ((performance.now() - started) / 1000);
}

// Runs the rounds (none unless `run`); returns {fjd, parallel, xargs}: each round's jobs/s.
export function throughputRounds({jobs, rounds, run, log}) {
  const rates = {fjd: [], parallel: [], xargs: []};
  const runners = {
    fjd: () => throughputFjd(jobs),
    parallel: () => throughputOf('parallel', ['-j2'], jobs),
    xargs: () => throughputOf('xargs', ['-P2', '-n1'], jobs),
  };
  for (let round = 0; round < (run ? rounds : 0); round++) {
    const order = Object.keys(runners);
    for (let i = 0; i < round; i++) order.push(order.shift());
    for (const tool of order) {
      const rate = runners[tool]();
      rates[tool].push(rate);
      log(`  round ${round + 1}: ${tool} ${rate.toFixed(0)} jobs/s`);
    }
  }
  return rates;
}
