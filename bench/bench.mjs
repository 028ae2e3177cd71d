#!/usr/bin/env node
// `npm run bench`: fjd measured against its peers on this machine, in the same run, in
// interleaved rounds. Prints a table of medians and ratios and writes JSON to bench-results/.
//
//   npm run bench                      the full benchmark (about eleven minutes)
//   npm run bench -- --quick           a short run (well under a minute), as CI runs it
//   npm run bench -- --only=idle,latency   some scenarios only (throughput, latency, scale, idle,
//                                      submit, idle-slots, many-slots, server-cost, spawn, ended,
//                                      dashboard)
//   npm run bench -- --many-slots      adds many-slots (over a minute, so not run by default)
//   npm run bench -- --slots-total=N   many-slots with N slots (N/64 hires, 4N jobs); implies it
//   npm run bench -- --spawn-rss=MB    the spawn scenario from a process inflated to MB (default 60)
//   npm run bench -- --round-trips     metadata operations per job, counted with strace (round-trips.mjs)
//
// Scenarios: throughput (2,000 trivial jobs on 2 pre-hired workers, against GNU parallel -j2
// and xargs -P2); latency (one job dropped atomically into an idle system, until its
// executable starts); scale (a 100,000-job backlog: first start, early against late
// throughput, the dispatcher's peak RSS); idle cost (32 idle workers and a dispatcher); idle
// slots (64 slots hired and a watching dispatcher, idle: processes, memory, CPU, filesystem
// operations under strace; idle-slots.mjs); many slots (1,024 slots running 4,096 jobs of
// `sleep 2`, against GNU parallel -j1024; many-slots.mjs); spawn (what starting a job costs the
// process that starts it: today's runJob, variations of it, long-lived spawners; spawn.mjs);
// ended jobs (`fjd status`, `fjd
// status JOB`, `fjd logs JOB` and a dispatcher's start on a home of 100 and of 100,000 ended
// jobs: time and metadata operations under strace; `fjd report` of them all in each format:
// time and peak RSS; ended-home.mjs).
//
// This file reads the options and runs the scenarios in order; each scenario is a module of its
// own (throughput.mjs, latency.mjs, scale.mjs, idle-workers.mjs, bulk-submit.mjs and those
// above), their sizes are in sizes.mjs, and table.mjs makes the table and the targets.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {REPO, BIN, ROOT, cleanUpOnSignals, ensureTool, freshHome, log, median, removeRoot} from './harness.mjs';
import {benchConfig} from './sizes.mjs';
import {throughputRounds} from './throughput.mjs';
import {latencyScenario} from './latency.mjs';
import {scaleScenario} from './scale.mjs';
import {idleScenario} from './idle-workers.mjs';
import {submitScenario} from './bulk-submit.mjs';
import {idleSlots} from './idle-slots.mjs';
import {manySlots} from './many-slots.mjs';
import {roundTrips} from './round-trips.mjs';
import {serverCost} from './server-cost.mjs';
import {spawnScenario} from './spawn.mjs';
import {endedScenario} from './ended-home.mjs';
import {dashboardScenario} from './dashboard-cost.mjs';
import {ORIGINAL, benchLines, benchTargets, notRun} from './table.mjs';

const USAGE = `npm run bench [-- OPTIONS]: fjd measured against GNU parallel and xargs on this machine

  (none)              the full benchmark (about eleven minutes)
  --quick             a short run (well under a minute), as CI runs it
  --only=A,B          some scenarios only: throughput, latency, scale, idle, submit,
                      idle-slots, many-slots, server-cost, spawn, ended, dashboard
  --many-slots        adds many-slots (over a minute, so not run by default)
  --slots-total=N     many-slots with N slots (N/64 hires, 4N jobs); implies it
  --spawn-rss=MB      the spawn scenario from a process inflated to MB (default 60)
  --round-trips       metadata operations per job, counted with strace (--jobs=N, default 500)

It prints a table of medians, ratios and targets, and writes JSON to bench-results/.
`;
// Options it does not know are refused, so that a typo does not start an eleven-minute run.
const KNOWN = ['--quick', '--many-slots', '--round-trips', '--help', '-h'];
const KNOWN_VALUES = ['--only=', '--slots-total=', '--spawn-rss=', '--jobs='];
if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(USAGE);
  removeRoot();
  process.exit(0);
}
const unknown = process.argv
  .slice(2)
  .find((a) => !KNOWN.includes(a) && !KNOWN_VALUES.some((prefix) => a.startsWith(prefix)));
if (unknown !== undefined) {
  log(`bench: no option ${unknown} (npm run bench -- --help lists them)`);
  removeRoot();
  process.exit(2);
}
const quick = process.argv.includes('--quick');
const option = (name) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(`--${name}=`.length);
// The many-slots scenario takes more than a minute at its full size: it runs when asked for.
const slotsTotal = option('slots-total') === undefined ? undefined : Number(option('slots-total'));
if (slotsTotal !== undefined && !(Number.isInteger(slotsTotal) && slotsTotal > 0)) {
  log(`bench: --slots-total must be a whole number of slots above 0, not ${option('slots-total')}`);
  removeRoot();
  process.exit(2);
}
const manySlotsAsked = process.argv.includes('--many-slots') || slotsTotal !== undefined;
const config = benchConfig(quick, slotsTotal);
const SCENARIOS = [
  'throughput',
  'latency',
  'scale',
  'idle',
  'submit',
  'idle-slots',
  'many-slots',
  'server-cost',
  'spawn',
  'ended',
  'dashboard',
];
if (option('spawn-rss') !== undefined) config.spawn.rssMb = Number(option('spawn-rss'));
const byDefault = SCENARIOS.filter((s) => s !== 'many-slots' || quick || manySlotsAsked);
const only = new Set((option('only') ?? byDefault.join(',')).split(','));
for (const name of only) {
  if (!SCENARIOS.includes(name)) {
    log(`bench: no scenario ${name}; the scenarios are ${SCENARIOS.join(', ')}`);
    removeRoot();
    process.exit(2);
  }
}

async function main() {
  if (process.argv.includes('--round-trips')) return roundTrips({bin: BIN, home: freshHome('round-trips'), log});
  const noParallel = ensureTool('parallel');
  if (noParallel !== undefined) throw new Error(noParallel);
  // strace counts the filesystem operations of idle slots; without it they are not counted.
  const noStrace =
    only.has('idle-slots') || only.has('server-cost') || only.has('ended') ? ensureTool('strace') : undefined;
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  log(`fjd benchmark${quick ? ' (quick)' : ''} on ${machine}; its homes are in ${ROOT}`);
  const rates = throughputRounds({jobs: config.jobs, rounds: config.rounds, run: only.has('throughput'), log});
  const none = notRun(config);
  log('  latency…');
  const latency = only.has('latency') ? await latencyScenario({drops: config.drops}) : none;
  log('  scale…');
  const scale = only.has('scale') ? await scaleScenario({backlog: config.backlog}) : none;
  log('  idle…');
  const idleSizes = {workers: config.idleWorkers, settleSeconds: config.idleSettleSeconds, seconds: config.idleSeconds};
  const idle = only.has('idle') ? await idleScenario(idleSizes) : none;
  log('  bulk submission…');
  const submit = only.has('submit') ? submitScenario({jobs: config.submit}) : none;
  log('  idle slots…');
  const slotsIdle = only.has('idle-slots') ? await idleSlots({...config.idleSlots, strace: noStrace}) : undefined;
  log('  many slots…');
  const slotsMany = only.has('many-slots') ? await manySlots({...config.manySlots, parallel: true}) : undefined;
  log('  server cost…');
  let costs;
  if (only.has('server-cost') && noStrace !== undefined) log(`  server cost not counted: ${noStrace}`);
  else if (only.has('server-cost')) costs = await serverCost(config.serverCost);
  log('  spawn…');
  const spawning = only.has('spawn') ? await spawnScenario(config.spawn) : undefined;
  log('  ended jobs…');
  let ended;
  if (only.has('ended') && noStrace !== undefined) log(`  ended jobs not counted: ${noStrace}`);
  else if (only.has('ended')) ended = endedScenario({bin: BIN, makeHome: freshHome, large: config.ended, log});
  log('  dashboard…');
  const dashboard = only.has('dashboard') ? await dashboardScenario(config.dashboard) : undefined;

  const throughput = {fjd: median(rates.fjd), parallel: median(rates.parallel), xargs: median(rates.xargs)};
  const targets = benchTargets(config, {throughput, latency, scale, idle, slotsIdle, slotsMany});
  const title = `fjd benchmark, ${new Date().toISOString().slice(0, 10)}, ${machine}${quick ? ' (quick)' : ''}`;
  const results = {throughput, latency, scale, idle, submit, slotsIdle, slotsMany, costs, spawning, ended, dashboard};
  process.stdout.write(`${benchLines(config, {title, targets, ...results}).join('\n')}\n`);
  const out = path.join(REPO, 'bench-results');
  fs.mkdirSync(out, {recursive: true});
  const file = path.join(out, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}${quick ? '-quick' : ''}.json`);
  fs.writeFileSync(
    file,
    `${JSON.stringify({date: new Date().toISOString(), machine, quick, config, rates, throughput, latency, scale, idle, submit, idleSlots: slotsIdle, manySlots: slotsMany, serverCost: costs, spawn: spawning, ended, dashboard, targets, original: ORIGINAL}, null, 2)}\n`,
  );
  log(`results written to ${path.relative(REPO, file)}`);
}

cleanUpOnSignals();
try {
  await main();
} finally {
  // Whatever happened, no process of the benchmark is left running, and its homes are gone.
  removeRoot();
}
