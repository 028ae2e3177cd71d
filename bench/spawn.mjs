// The spawn scenario (issue 16, item 3; (e) landed with issue 15): what starting a job costs the process that starts it,
// for today's runJob and its alternatives. For each, `jobs` runs of `true` with 2 in flight,
// stdout and stderr to files of their own, in a new session, the job file as the last
// argument, the environment a worker gives a job. Measured: the starting process's own CPU per
// job (process.resourceUsage(), user and system), all CPU per job (this process and every
// process it reaped: the spawner, its helpers and the jobs themselves, from /proc/self/stat),
// and jobs per second. The benchmark process is first inflated to a worker's RSS (a busy worker
// of 2 slots: about 60 MB), since forking costs more the more memory the forking process has.
//
// The alternatives: (a) runJob as the worker calls it; (b) variations of it: the program left
// for the child to find on PATH, one file for both streams, stdin from a /dev/null opened once,
// no files at all (the floor of Node's spawn); (c) a long-lived spawner the worker writes each
// request to over a pipe, which forks the job itself and reports its pid and its end: Perl
// (fork), bash (a subshell and /usr/bin/setsid per job), Python (subprocess, which uses vfork),
// a second lean Node process. The spawners are bench/spawners/. (e) fjd's job starter, as the
// worker uses it (src/run/job-starter.ts: the Python one, with its protocol's checks).
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {pathToFileURL} from 'node:url';
import {REPO, log, median, scratchDir} from './harness.mjs';
import {SPAWNER_COMMANDS, spawnerClient} from './spawners/client.mjs';

const {runJob} = await import(pathToFileURL(path.join(REPO, 'dist', 'run', 'run-job.js')).href);
const {JobStarter} = await import(pathToFileURL(path.join(REPO, 'dist', 'run', 'job-starter.js')).href);
const {planCommand} = await import(pathToFileURL(path.join(REPO, 'dist', 'job', 'command.js')).href);
const TICK_NS = 1e7; // USER_HZ is 100 on Linux

// This process's CPU and that of the children it has reaped, in ns.
function cpuWithChildrenNs() {
  const fields = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) * TICK_NS;
}

function rssMb() {
  return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;
}

// Live objects on the V8 heap, so that this process forks like a worker of `mb` MB. The kind of
// memory matters: at 250 MB, a spawn costs 1.0 ms of system time when the heap holds it and
// 5.8 ms when a Buffer does (memory outside the heap, each page touched), measured on
// 2026-12-01; a worker's memory is its heap and its code.
const ballast = [];
function inflateTo(mb) {
  while (rssMb() < mb) ballast.push(Array.from({length: 10_000}, (_, i) => ({i, s: `x${i}`})));
}

// One job's paths and environment.
function jobOf(dir, i, oneFile) {
  const out = path.join(dir, `job${i}.out`);
  return {
    jobFile: path.join(dir, 'job'),
    cwd: dir,
    env: {...process.env, FJD_JOB_FILE: path.join(dir, 'job'), FJD_WORKER: 'bench', FJD_SLOT: String(i % 2)},
    stdoutFile: out,
    stderrFile: oneFile ? out : path.join(dir, `job${i}.err`),
  };
}

// Runs `jobs` jobs through start(i) (a promise of the job's end), 2 at a time.
async function measure(name, jobs, start, finish = async () => {}) {
  const usage0 = process.resourceUsage();
  const all0 = cpuWithChildrenNs();
  const t0 = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < jobs) await start(next++);
  };
  await Promise.all([lane(), lane()]);
  const seconds = (performance.now() - t0) / 1000;
  await finish();
  const usage = process.resourceUsage();
  const userMs = (usage.userCPUTime - usage0.userCPUTime) / 1000 / jobs;
  const sysMs = (usage.systemCPUTime - usage0.systemCPUTime) / 1000 / jobs;
  const allMs = (cpuWithChildrenNs() - all0) / 1e6 / jobs;
  const result = {name, userMs, sysMs, cpuMs: userMs + sysMs, allMs, jobsPerSecond: jobs / seconds};
  log(
    `  ${name}: ${result.cpuMs.toFixed(2)} ms CPU per job (${userMs.toFixed(2)} user, ${sysMs.toFixed(2)} sys), all ${allMs.toFixed(2)} ms, ${result.jobsPerSecond.toFixed(0)} jobs/s`,
  );
  return result;
}

function ended(child) {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`a job exited with ${code}`))));
  });
}

// Node's spawn with runJob's options, varied.
function nodeSpawn(dir, {program, oneFile, nullFd, noFiles}) {
  return (i) => {
    const job = jobOf(dir, i, oneFile);
    let stdio = ['ignore', 'ignore', 'ignore'];
    const fds = [];
    if (!noFiles) {
      fds.push(fs.openSync(job.stdoutFile, 'w', 0o600));
      if (!oneFile) fds.push(fs.openSync(job.stderrFile, 'w', 0o600));
      stdio = [nullFd ?? 'ignore', fds[0], fds[1] ?? fds[0]];
    }
    const child = spawn(program, [job.jobFile], {cwd: job.cwd, env: job.env, stdio, detached: true});
    for (const fd of fds) fs.closeSync(fd);
    return ended(child);
  };
}

async function viaSpawner(name, jobs, dir, command, args, framing, program) {
  const client = spawnerClient(command, args, framing);
  // A warm-up job, so that the spawner's own start is not counted.
  await client.run('warm', jobOf(dir, 'warm'), [program, path.join(dir, 'job')]);
  return measure(
    name,
    jobs,
    (i) => {
      const job = jobOf(dir, i);
      return client.run(i, job, [program, job.jobFile]);
    },
    () => client.close(),
  );
}

// fjd's job starter as a worker uses it, once it is ready.
async function viaJobStarter(name, jobs, dir, plan) {
  const starter = new JobStarter({choice: undefined, env: {PATH: process.env.PATH ?? ''}, log: () => undefined});
  const run = (i) =>
    starter
      .start({plan, ...jobOf(dir, i)})
      .then((job) => job.result)
      .then((r) => {
        if (r.exitCode !== 0) throw new Error(`a job ended ${JSON.stringify(r)}`);
      });
  for (let i = 0; starter.way !== 'starter'; i++) {
    if (i > 200) throw new Error('the job starter did not become ready');
    await run(`warm-${i}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return measure(name, jobs, run, async () => {
    starter.close();
    // Its CPU counts once it has been reaped.
    await new Promise((resolve) => setTimeout(resolve, 300));
  });
}

// config: {jobs, rounds, rssMb}. The alternatives run in interleaved rounds, in a different
// order each round, so that a noisy moment of the shared machine hits all alike; medians.
export async function spawnScenario(config) {
  const dir = scratchDir('spawn');
  fs.writeFileSync(path.join(dir, 'job'), '[control]\nexecutable = true\n');
  inflateTo(config.rssMb);
  const rss = rssMb();
  const {jobs} = config;
  log(`  spawning ${jobs} jobs of true per alternative and round, 2 in flight, from a process of ${rss.toFixed(0)} MB`);
  const plan = planCommand('true', dir, process.env.PATH);
  const program = plan.file;
  const viaRunJob = (i) =>
    runJob({plan, ...jobOf(dir, i)}).result.then((r) => {
      if (r.exitCode !== 0) throw new Error(`a job ended ${JSON.stringify(r)}`);
    });
  // Warm up: Node compiles the spawn path in the first jobs.
  await measure('warm-up', Math.min(200, jobs), viaRunJob);
  const nullFd = fs.openSync('/dev/null', 'r');
  const alternatives = [
    ['a. runJob today', () => measure('a. runJob today', jobs, viaRunJob)],
    ...[
      ['b. program left for the child to find on PATH', {program: 'true'}],
      ['b. one file for both streams', {program, oneFile: true}],
      ['b. stdin from a /dev/null opened once', {program, nullFd}],
      ['b. no files (stdio ignored): the floor of spawn', {program, noFiles: true}],
    ].map(([name, options]) => [name, () => measure(name, jobs, nodeSpawn(dir, options))]),
    ...SPAWNER_COMMANDS.map(([name, command, args, framing]) => [
      name,
      () => viaSpawner(name, jobs, dir, command, args, framing, program),
    ]),
    [
      "e. fjd's job starter (Python), as the worker uses it",
      () => viaJobStarter("e. fjd's job starter (Python), as the worker uses it", jobs, dir, plan),
    ],
  ];
  const samples = new Map(alternatives.map(([name]) => [name, []]));
  for (let round = 0; round < config.rounds; round++) {
    const order = [...alternatives];
    for (let i = 0; i < round * 3; i++) order.push(order.shift());
    for (const [name, run] of order) {
      try {
        samples.get(name).push(await run());
      } catch (error) {
        log(`  ${name}: not measured: ${error.message}`);
      }
    }
  }
  fs.closeSync(nullFd);
  const results = [...samples].map(([name, runs]) => {
    const of = (key) => median(runs.map((r) => r[key]));
    return {
      name,
      rounds: runs.length,
      userMs: of('userMs'),
      sysMs: of('sysMs'),
      cpuMs: of('cpuMs'),
      allMs: of('allMs'),
      jobsPerSecond: of('jobsPerSecond'),
    };
  });
  return {rssMb: rss, jobs, rounds: config.rounds, results};
}

export function spawnLines(spawnResult) {
  if (spawnResult === undefined) return [];
  return [
    `| ${spawnResult.jobs} jobs of \`true\`, 2 in flight, median of ${spawnResult.rounds}, from a process of ${spawnResult.rssMb.toFixed(0)} MB | its CPU per job (user + sys) | all CPU per job | jobs/s |`,
    '|---|---|---|---|',
    ...spawnResult.results.map(
      (r) =>
        `| ${r.name} | ${r.cpuMs.toFixed(2)} ms (${r.userMs.toFixed(2)} + ${r.sysMs.toFixed(2)}) | ${r.allMs.toFixed(2)} ms | ${r.jobsPerSecond.toFixed(0)} |`,
    ),
    '',
  ];
}
