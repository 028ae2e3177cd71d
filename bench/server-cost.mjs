// The server-cost scenario (issue 16, item 6): what a home costs its file server, measured in
// the parts that scale with a cluster, so that the README can work out a home of many nodes on
// paper. Each part is a count of metadata operations per second under strace (each a round
// trip on NFS), stable on a noisy machine:
//   - idle: K worker processes (one per node, as `recruiter hire` starts them) and a watching
//     dispatcher, settled, then counted; again with 2K workers, so that what the dispatcher
//     pays per worker shows as the difference;
//   - busy, between jobs: every slot running a long job and a backlog of B jobs queued behind
//     them, so that what is counted is the dispatcher's and the workers' looking (rescans of
//     jobqueue/, workerqueue/, the pods, heartbeats), not the jobs' own operations, which
//     `--round-trips` counts per job. Run at two backlogs: a larger jobqueue/ takes longer to
//     list, and the dispatcher's rescans are paced to take at most 2% of its time
//     (dispatcher/rescan.ts), so the rate shows whether that bound holds.
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {setTimeout as delay} from 'node:timers/promises';
import {BIN, REPO, fjd, freshHome, log, waitFor} from './harness.mjs';
import {fjdProcesses} from './processes.mjs';
import {countCalls} from './strace.mjs';

// Queues `count` jobs of `executable` named PREFIX000000 …, older than the dispatcher's settle
// time: each written aside and moved into jobqueue/ whole, since a running dispatcher may hand
// one out the moment it appears.
function queueJobs(home, count, executable, prefix) {
  const aside = path.join(home, 'aside');
  fs.mkdirSync(aside, {recursive: true});
  const past = new Date(Date.now() - 5000);
  for (let i = 0; i < count; i++) {
    const name = `${prefix}${String(i).padStart(6, '0')}`;
    fs.writeFileSync(path.join(aside, name), `[control]\nexecutable = ${executable}\n`);
    fs.utimesSync(path.join(aside, name), past, past);
    fs.renameSync(path.join(aside, name), path.join(home, 'jobqueue', name));
  }
}

// Runs `measure` with a watching dispatcher of `home` started, then stops the dispatcher and
// fires the workers, whatever happened.
async function withDispatcher(home, measure) {
  const dispatcher = spawn(path.join(BIN, 'dispatcher'), ['--watch', '--quiet'], {
    env: {...process.env, FJD_HOME: home},
    cwd: home,
    stdio: 'ignore',
  });
  const ended = new Promise((resolve) => dispatcher.on('exit', resolve));
  try {
    await waitFor(() => fs.existsSync(path.join(home, '.fjd', 'dispatcher.lock')), 10_000, 'the dispatcher to start');
    return await measure(dispatcher.pid);
  } finally {
    dispatcher.kill('SIGINT');
    await ended;
    fjd('recruiter', ['fire', '--now', '--wait'], home, {check: false});
  }
}

// Counts the dispatcher's and the workers' metadata operations per second, at once, each
// under its own strace.
async function countBoth(home, dispatcherPid, seconds, label) {
  const workers = fjdProcesses(home, REPO).filter((pid) => pid !== dispatcherPid);
  const [ofDispatcher, ofWorkers] = await Promise.all([
    countCalls([dispatcherPid], seconds, path.join(home, `strace-${label}-dispatcher.txt`), {quietIsNone: true}),
    countCalls(workers, seconds, path.join(home, `strace-${label}-workers.txt`)),
  ]);
  const error = ofDispatcher.error ?? ofWorkers.error;
  if (error !== undefined) throw new Error(error);
  return {
    workerProcesses: workers.length,
    dispatcherPerSecond: ofDispatcher.perSecond,
    workersPerSecond: ofWorkers.perSecond,
    dispatcherByCall: perSecond(ofDispatcher),
    workersByCall: perSecond(ofWorkers),
  };
}

function perSecond(counted) {
  return Object.fromEntries(
    Object.entries(counted.metadata.byCall).map(([name, n]) => [name, Number((n / counted.seconds).toFixed(2))]),
  );
}

export async function idleCost(workers, config) {
  const home = freshHome(`server-idle-${workers}`);
  for (let i = 0; i < workers; i++) fjd('recruiter', ['hire', '1'], home);
  return withDispatcher(home, async (dispatcherPid) => {
    await delay(config.settleSeconds * 1000);
    return countBoth(home, dispatcherPid, config.seconds, 'idle');
  });
}

export async function busyCost(backlog, config) {
  const home = freshHome(`server-busy-${backlog}`);
  const slots = config.busySlots;
  // The long jobs first, so that they are the ones running; the backlog waits behind them.
  queueJobs(home, slots, "sh -c 'sleep 600'", 'job');
  fjd('recruiter', ['hire', String(slots)], home);
  return withDispatcher(home, async (dispatcherPid) => {
    await waitFor(
      () => fs.readdirSync(path.join(home, 'jobqueue')).length === 0,
      20_000,
      'the long jobs to be handed out',
    );
    queueJobs(home, backlog, 'true', 'queued');
    await delay(config.settleSeconds * 1000);
    return countBoth(home, dispatcherPid, config.seconds, 'busy');
  });
}

// config: {workers, backlogs: [small, large], busySlots, settleSeconds, seconds}
export async function serverCost(config) {
  const result = {idle: {}, busy: {}};
  for (const k of [config.workers, 2 * config.workers]) {
    const counted = await idleCost(k, config);
    result.idle[k] = counted;
    log(
      `  server cost, idle with ${k} worker processes: dispatcher ${counted.dispatcherPerSecond.toFixed(2)}/s, workers ${counted.workersPerSecond.toFixed(2)}/s (${(counted.workersPerSecond / k).toFixed(2)} each)`,
    );
  }
  for (const b of config.backlogs) {
    const counted = await busyCost(b, config);
    result.busy[b] = counted;
    log(
      `  server cost, every slot busy, ${b} queued: dispatcher ${counted.dispatcherPerSecond.toFixed(1)}/s (${JSON.stringify(counted.dispatcherByCall)}), workers ${counted.workersPerSecond.toFixed(1)}/s`,
    );
  }
  const [k1, k2] = [config.workers, 2 * config.workers];
  result.idleDispatcherPerWorker =
    (result.idle[k2].dispatcherPerSecond - result.idle[k1].dispatcherPerSecond) / (k2 - k1);
  result.idleWorkerEach = (result.idle[k1].workersPerSecond / k1 + result.idle[k2].workersPerSecond / k2) / 2;
  const [b1, b2] = config.backlogs;
  result.busyDispatcherPerQueued =
    (result.busy[b2].dispatcherPerSecond - result.busy[b1].dispatcherPerSecond) / (b2 - b1);
  return result;
}

export function serverCostLines(r, config) {
  const [k1, k2] = [config.workers, 2 * config.workers];
  const [b1, b2] = config.backlogs;
  const f = (x, d = 2) => x.toFixed(d);
  return [
    '| what a home costs its file server (metadata operations per second, strace) | dispatcher | workers |',
    '|---|---|---|',
    `| idle, ${k1} worker processes | ${f(r.idle[k1].dispatcherPerSecond)} | ${f(r.idle[k1].workersPerSecond)} |`,
    `| idle, ${k2} worker processes | ${f(r.idle[k2].dispatcherPerSecond)} | ${f(r.idle[k2].workersPerSecond)} |`,
    `| idle: per worker process | ${f(r.idleDispatcherPerWorker, 3)} (the dispatcher's share) | ${f(r.idleWorkerEach, 3)} |`,
    `| every slot busy, ${b1} queued | ${f(r.busy[b1].dispatcherPerSecond, 1)} | ${f(r.busy[b1].workersPerSecond, 1)} |`,
    `| every slot busy, ${b2} queued | ${f(r.busy[b2].dispatcherPerSecond, 1)} | ${f(r.busy[b2].workersPerSecond, 1)} |`,
  ];
}
