// The many-slots scenario (issue 15): K hires of 64 slots (1,024 slots by default) and a
// watching dispatcher, then 4 jobs of `sleep 2` per slot dropped at once (atomically, by
// rename): fjd's wall time from the first job dropped to the last one ended (from the records'
// endedAt), against the ideal (4 × 2 s), and fjd's peak memory while they ran (the workers and
// the dispatcher, summed, sampled); then GNU parallel running the same sleeps with as many job
// slots, timed from its start to its exit.
//
// Safe on a small machine: after the first hire it projects the memory of all of them from
// that one (an fjd that runs one job per process starts 64 Node processes per hire) and does
// not go on when that would take more than half of the memory available, saying so.
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {setTimeout as delay} from 'node:timers/promises';
import {BIN, REPO, fjd, freshHome, log, scratchDir, waitFor} from './harness.mjs';
import {availableMemoryMb, fjdProcesses, memoryOf, statusKb} from './processes.mjs';

// What running jobs cost besides fjd (a sleep's own pages, and its share of the kernel's), per
// slot, for the projection, in MB.
const JOB_MB = 1;

// config: {slots (total), perHire, jobs, sleepSeconds, parallel (whether to run it)}
export async function manySlots(config) {
  const home = freshHome('many-slots');
  const hires = [];
  for (let left = config.slots; left > 0; left -= config.perHire) hires.push(Math.min(left, config.perHire));
  const result = {
    slots: config.slots,
    hires: hires.length,
    perHire: config.perHire,
    jobs: config.jobs,
    sleepSeconds: config.sleepSeconds,
    idealSeconds: Math.ceil(config.jobs / config.slots) * config.sleepSeconds,
    // The machine's load (1-minute average) as the scenario starts: on a shared machine,
    // others' work slows GNU parallel and fjd alike.
    loadAverage: os.loadavg()[0],
  };
  try {
    Object.assign(result, hireAll(home, hires, config));
    if (result.skipped === undefined) Object.assign(result, await runSleeps(home, config));
  } finally {
    fjd('recruiter', ['fire', '--now', '--wait'], home, {check: false});
  }
  if (config.parallel) Object.assign(result, {parallelLoadAverage: os.loadavg()[0]}, await parallelSleeps(config));
  return result;
}

// Hires `hires` (slots of each) one after the other, unless the first shows that all of them
// would take more than half of the memory available: then {skipped: why}.
function hireAll(home, hires, config) {
  const availableMb = availableMemoryMb();
  const started = performance.now();
  fjd('recruiter', ['hire', String(hires[0])], home);
  const first = fjdProcesses(home, REPO);
  // What the hires will take: each its private pages, the pages they share (Node itself) once.
  const oneHire = memoryOf(first);
  const sharedMb = Math.max(0, ...first.map((pid) => memoryOf([pid]).rssMb - memoryOf([pid]).ussMb));
  const projectedMb = oneHire.ussMb * hires.length + sharedMb + JOB_MB * config.slots;
  const hired = {processesPerHire: first.length, projectedMb};
  if (projectedMb > availableMb / 2) {
    const perSlotMb = oneHire.ussMb / hires[0] + JOB_MB;
    const fits = Math.floor((availableMb / 2 - sharedMb) / perSlotMb / config.perHire) * config.perHire;
    hired.skipped =
      `${hires.length} hires of ${config.perHire} slots would take about ${(projectedMb / 1024).toFixed(1)} GB ` +
      `(one hire started ${first.length} processes with ${oneHire.ussMb.toFixed(0)} MB of their own), more than half of the ` +
      `${(availableMb / 1024).toFixed(1)} GB available; --slots-total=${Math.max(config.perHire, fits)} would fit`;
    log(`  many slots: fjd not run: ${hired.skipped}`);
    return hired;
  }
  for (const slots of hires.slice(1)) fjd('recruiter', ['hire', String(slots)], home);
  hired.hireSeconds = (performance.now() - started) / 1000;
  return hired;
}

// With a watching dispatcher, drops the jobs at once and waits for all of them to end.
async function runSleeps(home, config) {
  const dispatcher = spawn(path.join(BIN, 'dispatcher'), ['--watch', '--quiet', '--home', home], {
    env: {...process.env, FJD_HOME: home},
    cwd: home,
    stdio: 'ignore',
  });
  const dispatcherEnded = new Promise((resolve) => dispatcher.on('exit', resolve));
  try {
    await waitFor(() => fs.existsSync(path.join(home, '.fjd', 'dispatcher.lock')), 10_000, 'the dispatcher to start');
    const pids = fjdProcesses(home, REPO);
    const names = Array.from({length: config.jobs}, (_, i) => `many${String(i).padStart(6, '0')}`);
    const text = `[control]\nexecutable = sleep ${config.sleepSeconds}\npass_job_file = no\n`;
    for (const name of names) fs.writeFileSync(path.join(home, 'jobqueue', `.${name}`), text);
    await delay(1000);

    const peak = {rssMb: 0, pssMb: 0, ussMb: 0};
    let samples = 0;
    const sampler = setInterval(() => {
      peak.rssMb = Math.max(peak.rssMb, pids.reduce((sum, pid) => sum + (statusKb(pid, 'VmRSS') || 0), 0) / 1024);
      // PSS costs a walk of each process's pages: every fourth sample.
      if (samples++ % 4 === 0) {
        const memory = memoryOf(pids);
        peak.pssMb = Math.max(peak.pssMb, memory.pssMb);
        peak.ussMb = Math.max(peak.ussMb, memory.ussMb);
      }
    }, 500);
    const droppedAt = Date.now();
    for (const name of names) fs.renameSync(path.join(home, 'jobqueue', `.${name}`), path.join(home, 'jobqueue', name));
    const dropSeconds = (Date.now() - droppedAt) / 1000;
    const ended = () =>
      fs.readdirSync(path.join(home, 'done')).length + fs.readdirSync(path.join(home, 'failed')).length;
    const idealMs = Math.ceil(config.jobs / config.slots) * config.sleepSeconds * 1000;
    try {
      await waitFor(() => ended() >= config.jobs, 60_000 + 20 * idealMs, `${config.jobs} jobs to end`, 250);
    } finally {
      clearInterval(sampler);
    }
    const hwmSumMb = pids.reduce((sum, pid) => sum + (statusKb(pid, 'VmHWM') || 0), 0) / 1024;

    let lastEnd = 0;
    let firstStart = Infinity;
    let failed = 0;
    for (const name of names) {
      // A job's file is in done/ a moment before its record says that it ended.
      const record = await finalRecord(home, name);
      if (record.state !== 'finished') failed++;
      lastEnd = Math.max(lastEnd, Date.parse(record.endedAt));
      firstStart = Math.min(firstStart, Date.parse(record.startedAt));
    }
    if (failed > 0) throw new Error(`${failed} of ${config.jobs} jobs did not finish (see ${home}/failed)`);
    const ran = {
      processes: pids.length,
      dropSeconds,
      fjdSeconds: (lastEnd - droppedAt) / 1000,
      firstStartMs: firstStart - droppedAt,
      peakRssMb: peak.rssMb,
      peakPssMb: peak.pssMb,
      peakUssMb: peak.ussMb,
      hwmSumMb,
    };
    log(
      `  many slots: fjd ${ran.fjdSeconds.toFixed(1)} s for ${config.jobs} jobs on ${config.slots} slots (${ran.processes} processes, ideal ${idealMs / 1000} s), peak RSS ${ran.peakRssMb.toFixed(0)} MB, PSS ${ran.peakPssMb.toFixed(0)} MB, USS ${ran.peakUssMb.toFixed(0)} MB`,
    );
    return ran;
  } finally {
    dispatcher.kill('SIGINT');
    await dispatcherEnded;
  }
}

// The record of job `name` once it says that the job has ended.
async function finalRecord(home, name) {
  const file = path.join(home, '.fjd', 'records', `${name}.json`);
  const read = () => JSON.parse(fs.readFileSync(file, 'utf8'));
  let record = read();
  const by = Date.now() + 10_000;
  while (record.state !== 'finished' && record.state !== 'failed' && Date.now() < by) {
    await delay(50);
    record = read();
  }
  return record;
}

// GNU parallel with one job slot per fjd slot: `parallel -jN -N0 sleep S ::: 1 … jobs`.
async function parallelSleeps(config) {
  const dir = scratchDir('many-slots-parallel');
  const args = [`-j${config.slots}`, '-N0', 'sleep', String(config.sleepSeconds), ':::'];
  for (let i = 1; i <= config.jobs; i++) args.push(String(i));
  const started = performance.now();
  const child = spawn('parallel', args, {
    cwd: dir,
    env: {...process.env, TMPDIR: dir},
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const code = await new Promise((resolve) => child.on('exit', resolve));
  const parallelSeconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`parallel exited ${code}: ${stderr.trim()}`);
  if (stderr.trim() !== '') log(`  many slots: parallel said: ${stderr.trim()}`);
  log(`  many slots: GNU parallel -j${config.slots} ${parallelSeconds.toFixed(1)} s`);
  return {parallelSeconds, parallelSaid: stderr.trim()};
}
