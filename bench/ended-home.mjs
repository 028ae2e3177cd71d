// Ended jobs in flat directories: a home holding N jobs that have ended (done/ and failed/,
// their records in .fjd/records/, their .out and .err in .fjd/output/: 5 files a job), built
// fast by writing those files in their real formats, and what the commands that read such a
// home cost there: `fjd status`, `fjd status JOB` and `fjd logs JOB` for a job in the middle,
// and a dispatcher's start (with nothing open it starts, finds no job and exits). Each is timed
// (median of a few runs) and its metadata operations on the home are counted under strace, as
// round-trips.mjs counts them. On NFS each operation is a round trip to the file server. And
// `fjd report` of every job of the home, in each format: its wall time and its peak RSS (GNU
// time's %M), its output read and counted as it comes, never kept.
//
//   npm run bench -- --only=ended           100 against 100,000 ended jobs (2,000 with --quick)
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {countCalls} from './round-trips.mjs';

// Every tenth job failed; the rest finished.
const FAILED_EVERY = 10;

const idOf = (i) => `job${String(i).padStart(6, '0')}`;
const isFailed = (i) => i % FAILED_EVERY === FAILED_EVERY - 1;

// A job in the middle of the home's listing and of its names, one that finished.
export function middleJob(count) {
  let i = Math.floor(count / 2);
  if (isFailed(i)) i--;
  return idOf(i);
}

// The record of job i, as a worker of 1 slot on host `vm` writes it when the job has ended.
function recordOf(home, i, endedMs) {
  const id = idOf(i);
  const failed = isFailed(i);
  const startedAt = new Date(endedMs - 12).toISOString();
  const endedAt = new Date(endedMs).toISOString();
  const exitCode = failed ? 1 : 0;
  const reason = failed ? 'exit code 1' : null;
  const output = {stdout: `.fjd/output/${id}.out`, stderr: `.fjd/output/${id}.err`};
  // Where it ran and how, as both the record and its one attempt say it.
  const where = {worker: 'vm-4242', host: 'vm'};
  const ran = {startedAt, endedAt, durationMs: 12, exitCode, signal: null, reason};
  const attempt = {
    attempt: 1,
    ...where,
    pid: 10_000 + (i % 50_000),
    ...ran,
    outcome: failed ? 'failed' : 'finished',
    ...output,
  };
  const record = {
    fjd: 1,
    id,
    name: id,
    state: failed ? 'failed' : 'finished',
    assignedAt: new Date(endedMs - 20).toISOString(),
    ...where,
    ...ran,
    command: ['/usr/bin/sh', path.join(home, '.fjd', 'workers', 'vm-4242', 'pod', id)],
    workdir: home,
    ...output,
    file: `${failed ? 'failed' : 'done'}/${id}`,
    requeuedAs: null,
    attempts: [attempt],
    submittedMs: endedMs - 60_000,
    request: null,
  };
  return `${JSON.stringify(record, null, 2)}\n`;
}

// Makes `home` a home of `count` ended jobs: job000000 … (every tenth failed), each with its
// job file, record, .out and .err, and the failures in .fjd/failures.log as a dispatcher that
// saw them fail leaves them. The files' times are those of their writing, now.
export function writeEndedHome(home, count) {
  const dirs = ['jobqueue', 'workerqueue', 'done', 'failed', '.fjd'];
  const internal = ['workers', 'records', 'output', 'logs', 'tmp', 'cancel', 'priority', 'slurm'];
  for (const dir of [...dirs, ...internal.map((d) => path.join('.fjd', d))])
    fs.mkdirSync(path.join(home, dir), {recursive: true, mode: 0o700});
  fs.chmodSync(home, 0o700);
  const job = (i) => `[control]\nexecutable = sh -c "echo hello"\n\n[params]\nseed = ${i}\nalpha = 0.${i % 10}\n`;
  const started = Date.now() - count * 10;
  const failures = [];
  for (let i = 0; i < count; i++) {
    const id = idOf(i);
    const failed = isFailed(i);
    fs.writeFileSync(path.join(home, failed ? 'failed' : 'done', id), job(i));
    fs.writeFileSync(path.join(home, '.fjd', 'records', `${id}.json`), recordOf(home, i, started + i * 10));
    fs.writeFileSync(path.join(home, '.fjd', 'output', `${id}.out`), `hello from ${id}\n`);
    fs.writeFileSync(path.join(home, '.fjd', 'output', `${id}.err`), failed ? `${id}: it went wrong\n` : '');
    if (failed) failures.push(`failed ${id}\n`);
  }
  fs.writeFileSync(path.join(home, '.fjd', 'failures.log'), failures.join(''));
}

// The commands measured, each as [label, binary, arguments] for a home of `count` jobs.
export function endedCommands(count) {
  const job = middleJob(count);
  return [
    ['fjd status', 'fjd', ['status']],
    [`fjd status JOB`, 'fjd', ['status', job]],
    [`fjd logs JOB`, 'fjd', ['logs', job]],
    ['dispatcher start (no job open)', 'dispatcher', ['--quiet']],
  ];
}

function run(bin, command, args, home) {
  const result = spawnSync(path.join(bin, command), [...args, '--home', home], {
    cwd: home,
    env: {...process.env, FJD_HOME: home},
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  return result;
}

// The metadata operations of one run of `command` on `home`, by kind (round-trips.mjs:
// countCalls), made by its Node process and its threads; and what it printed.
export function tracedCalls(bin, command, args, home, traceFile) {
  const strace = ['-f', '-qq', '-y', '-s', '4096', '-e', 'trace=%file,getdents64,clone,clone3,fork,vfork'];
  const result = spawnSync(
    'strace',
    [...strace, '-o', traceFile, '--', path.join(bin, command), ...args, '--home', home],
    {cwd: home, env: {...process.env, FJD_HOME: home}, encoding: 'utf8', maxBuffer: 1 << 30},
  );
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} under strace failed: ${result.stderr}`);
  const calls = countCalls(fs.readFileSync(traceFile, 'utf8'), home);
  fs.rmSync(traceFile, {force: true});
  return {calls, stdout: result.stdout, stderr: result.stderr};
}

const sum = (counts) => Object.values(counts).reduce((a, b) => a + b, 0);

// Measures every command on `home` (of `count` ended jobs): the median wall time of `runs`
// runs and the metadata operations of one run under strace. Returns [{label, ms, calls, total}].
export function measureEnded({bin, home, count, runs = 3}) {
  const real = fs.realpathSync(home);
  return endedCommands(count).map(([label, command, args]) => {
    const times = [];
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      run(bin, command, args, real);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const trace = path.join(path.dirname(real), `strace-${path.basename(real)}`);
    const {calls} = tracedCalls(bin, command, args, real, trace);
    return {label, ms: times[Math.floor(times.length / 2)], calls, total: sum(calls)};
  });
}

// The formats `fjd report` is measured in.
export const REPORT_FORMATS = ['table', 'csv', 'json', 'joblog'];

// One run of `fjd report --format FORMAT` on `home`, under GNU time: its wall time (ms), its
// peak RSS (MB) and how many lines it wrote (through a pipe, as to a file or a program).
function reportOnce(bin, home, format) {
  const rssFile = path.join(path.dirname(home), `rss-${path.basename(home)}`);
  const args = ['-o', rssFile, '-f', '%M', path.join(bin, 'fjd'), 'report', '--format', format, '--home', home];
  const t0 = performance.now();
  const result = spawnSync('/usr/bin/time', args, {cwd: home, encoding: 'utf8', maxBuffer: 1 << 30});
  const ms = performance.now() - t0;
  const rss = Number(fs.readFileSync(rssFile, 'utf8').trim().split('\n').at(-1));
  fs.rmSync(rssFile, {force: true});
  if (result.status !== 0 || !Number.isFinite(rss))
    throw new Error(`fjd report --format ${format} failed (${result.status}): ${result.stderr}`);
  const lines = result.stdout.split('\n').length - 1;
  return {ms, rssMb: rss / 1024, lines};
}

// `fjd report` in each format on `home`: the median wall time and peak RSS of `runs` runs.
export function measureReport({bin, home, runs = 3}) {
  const real = fs.realpathSync(home);
  return REPORT_FORMATS.map((format) => {
    const all = Array.from({length: runs}, () => reportOnce(bin, real, format));
    const median = (pick) => all.map(pick).sort((a, b) => a - b)[Math.floor(runs / 2)];
    return {format, ms: median((r) => r.ms), rssMb: median((r) => r.rssMb), lines: all[0].lines};
  });
}

// The table of `fjd report` on a small home against a large one, in Markdown.
export function reportLines(small, large) {
  const number = new Intl.NumberFormat('en-US');
  const lines = [
    `| \`fjd report\` of every job | ${number.format(small.count)} ended jobs: wall, peak RSS | ${number.format(large.count)} ended jobs: wall, peak RSS, lines |`,
    '|---|---|---|',
  ];
  for (let i = 0; i < small.report.length; i++) {
    const s = small.report[i];
    const l = large.report[i];
    lines.push(
      `| --format ${s.format} | ${(s.ms / 1000).toFixed(2)} s, ${s.rssMb.toFixed(0)} MB | ${(l.ms / 1000).toFixed(2)} s, ${l.rssMb.toFixed(0)} MB, ${number.format(l.lines)} |`,
    );
  }
  return [...lines, ''];
}

// The table of a small home against a large one, in Markdown.
export function endedLines(small, large) {
  const number = new Intl.NumberFormat('en-US');
  const byCall = (calls) =>
    Object.entries(calls)
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k} ${number.format(n)}`)
      .join(', ');
  const lines = [
    `| ended jobs in the home | ${number.format(small.count)}: wall, operations | ${number.format(large.count)}: wall, operations | at ${number.format(large.count)}, by call |`,
    '|---|---|---|---|',
  ];
  for (let i = 0; i < small.results.length; i++) {
    const s = small.results[i];
    const l = large.results[i];
    lines.push(
      `| ${s.label} | ${s.ms.toFixed(0)} ms, ${number.format(s.total)} | ${l.ms.toFixed(0)} ms, ${number.format(l.total)} | ${byCall(l.calls)} |`,
    );
  }
  return [...lines, ''];
}

// The scenario: builds both homes in `makeHome(label)` directories and measures them.
export function endedScenario({bin, makeHome, large, log}) {
  const sizes = [100, large];
  const measured = [];
  for (const count of sizes) {
    const home = makeHome(`ended-${count}`);
    const t0 = performance.now();
    writeEndedHome(home, count);
    spawnSync('sync');
    log(`  ended: a home of ${count} ended jobs written in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    measured.push({count, results: measureEnded({bin, home, count}), report: measureReport({bin, home})});
  }
  return {small: measured[0], large: measured[1]};
}
