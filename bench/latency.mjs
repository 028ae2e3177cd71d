// The latency scenario: `drops` jobs dropped one at a time (written hidden, renamed into
// jobqueue/) into an idle system of 2 hired slots and a watching dispatcher, each timed until
// its executable starts; and the floor under that: the same drop and the same script started
// straight away by the benchmark itself, as fast as anything could start it.
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {dispatcherEnd, fjd, freshHome, median, nowNs, quantile, waitFor, watchingDispatcher} from './harness.mjs';

// Returns the median and p95 of fjd's latency and of the floor, in ms.
export async function latencyScenario({drops}) {
  const home = freshHome('latency');
  fjd('recruiter', ['hire', '2'], home);
  const dispatcher = await watchingDispatcher(home);
  const samples = [];
  const text = "[control]\nexecutable = sh -c 'date +%%s%%N'\n";
  for (let i = 0; i < drops; i++) {
    const name = `drop${i}`;
    const hidden = path.join(home, 'jobqueue', `.${name}`);
    fs.writeFileSync(hidden, text);
    const dropped = nowNs();
    fs.renameSync(hidden, path.join(home, 'jobqueue', name));
    await waitFor(() => fs.existsSync(path.join(home, 'done', name)), 10_000, `${name} to finish`, 1);
    const started = BigInt(fs.readFileSync(path.join(home, '.fjd', 'output', `${name}.out`), 'utf8').trim());
    samples.push(Number(started - dropped) / 1e6);
  }
  await dispatcherEnd(dispatcher, 'SIGINT');
  fjd('recruiter', ['fire'], home);
  const floor = latencyFloor(home, drops);
  return {
    median: median(samples),
    p95: quantile(samples, 0.95),
    floorMedian: median(floor),
    floorP95: quantile(floor, 0.95),
  };
}

function latencyFloor(home, drops) {
  const samples = [];
  const script = 'date +%s%N';
  for (let i = 0; i < drops; i++) {
    const hidden = path.join(home, 'jobqueue', `.floor${i}`);
    fs.writeFileSync(hidden, '');
    const dropped = nowNs();
    fs.renameSync(hidden, path.join(home, 'jobqueue', `floor${i}`));
    const started = BigInt(spawnSync('sh', ['-c', script], {encoding: 'utf8'}).stdout.trim());
    samples.push(Number(started - dropped) / 1e6);
  }
  return samples;
}
