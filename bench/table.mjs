// The table the benchmark prints: the lines of issue 16's scenarios (throughput, latency,
// scale, idle, bulk submission) beside the original fjd's published figures, then the other
// scenarios' tables in their order, then every target with issue 16's figure from before its
// work, what was measured, and whether it is met. A scenario that did not run is `notRun`.
import {slotsLines, slotsTargets} from './slots-report.mjs';
import {serverCostLines} from './server-cost.mjs';
import {spawnLines} from './spawn.mjs';
import {endedLines, reportLines} from './ended-home.mjs';
import {dashboardLines} from './dashboard-cost.mjs';

// The original Python fjd, as published in the issue that asked for this benchmark: it polls
// every 100 ms in the dispatcher and the worker.
export const ORIGINAL = {throughput: 18.6, latencyMedianMs: 95, latencyP95Ms: 168};
// The figures issue 16 measured on this machine on 2026-12-01, before its work, beside each of
// its targets (by the target's text).
const BEFORE = {
  'throughput ≥ 2× GNU parallel': '1.33× (484 against 363 jobs/s)',
  'throughput ≥ 60% of xargs -P2': '41% (xargs 1,169 jobs/s)',
  'latency: fjd adds ≤ 3 ms to the floor (median)': '4.7 ms (floor 4.8 ms)',
  'first job within 1 s': '536 ms',
  'dispatcher peak RSS ≤ 150 MB': '138 MB',
};
const BACKLOG_BEFORE = '62% (280 / 453 jobs/s)';

// What stands for the results of the latency, scale, idle or submit scenario when it did not run.
export function notRun(config) {
  return {
    submitSeconds: NaN,
    median: NaN,
    p95: NaN,
    floorMedian: NaN,
    floorP95: NaN,
    firstStartMs: NaN,
    firstRate: NaN,
    lastRate: NaN,
    peakRssMb: NaN,
    cpuPercent: NaN,
    workerRssMb: NaN,
    workers: config.idleWorkers,
  };
}

// The targets as {target, before, measured, met (true, false or 'not run')}.
export function benchTargets(config, {throughput, latency, scale, idle, slotsIdle, slotsMany}) {
  return [
    [
      'throughput ≥ 2× GNU parallel',
      throughput.fjd / throughput.parallel,
      2,
      `${(throughput.fjd / throughput.parallel).toFixed(2)}×`,
    ],
    [
      'throughput ≥ 60% of xargs -P2',
      throughput.fjd / throughput.xargs,
      0.6,
      `${((100 * throughput.fjd) / throughput.xargs).toFixed(0)}%`,
    ],
    [
      'latency: fjd adds ≤ 3 ms to the floor (median)',
      3 / Math.max(latency.median - latency.floorMedian, 1e-9),
      1,
      `${(latency.median - latency.floorMedian).toFixed(1)} ms`,
    ],
    ['latency median ≤ 10 ms', 10 / latency.median, 1, `${latency.median.toFixed(1)} ms`],
    ['latency p95 ≤ 25 ms', 25 / latency.p95, 1, `${latency.p95.toFixed(1)} ms`],
    [
      `throughput at a ${config.backlog} backlog (first jobs) ≥ 80% of that at its end (last jobs)`,
      scale.firstRate / scale.lastRate,
      0.8,
      `${((100 * scale.firstRate) / scale.lastRate).toFixed(0)}%`,
    ],
    ['first job within 1 s', 1000 / scale.firstStartMs, 1, `${scale.firstStartMs.toFixed(0)} ms`],
    ['dispatcher peak RSS ≤ 150 MB', 150 / scale.peakRssMb, 1, `${scale.peakRssMb.toFixed(0)} MB`],
    [
      `${config.idleWorkers} idle slots (\`recruiter hire ${config.idleWorkers}\`) + dispatcher < 1% of a core`,
      1 / Math.max(idle.cpuPercent, 1e-9),
      1,
      `${idle.cpuPercent.toFixed(2)}%`,
    ],
    ['idle worker RSS ≤ 50 MB', 50 / idle.workerRssMb, 1, `${idle.workerRssMb.toFixed(0)} MB`],
    ...slotsTargets(config, slotsIdle, slotsMany),
  ].map(([target, ratio, need, measured]) => ({
    target,
    before: BEFORE[target] ?? (target.includes('backlog') && config.backlog === 100_000 ? BACKLOG_BEFORE : ''),
    measured,
    met: Number.isNaN(ratio) ? 'not run' : ratio >= need,
  }));
}

// The table's lines, a title first. `r` holds every scenario's results, undefined where a
// later scenario did not run.
export function benchLines(config, {title, targets, ...r}) {
  const {throughput, latency, scale, idle, submit, ended, dashboard} = r;
  return [
    title,
    '',
    `| ${config.jobs} trivial jobs, parallelism 2 | jobs/s (median of ${config.rounds}) | fjd's ratio |`,
    '|---|---|---|',
    `| fjd | ${throughput.fjd.toFixed(0)} | 1 |`,
    `| GNU parallel -j2 | ${throughput.parallel.toFixed(0)} | ${(throughput.fjd / throughput.parallel).toFixed(2)}× |`,
    `| xargs -P2 | ${throughput.xargs.toFixed(0)} | ${(throughput.fjd / throughput.xargs).toFixed(2)}× |`,
    `| original fjd (published) | ${ORIGINAL.throughput} | ${(throughput.fjd / ORIGINAL.throughput).toFixed(0)}× |`,
    '',
    `| latency, ${config.drops} drops into an idle system | fjd | original fjd (published) |`,
    '|---|---|---|',
    `| median | ${latency.median.toFixed(1)} ms | ${ORIGINAL.latencyMedianMs} ms |`,
    `| p95 | ${latency.p95.toFixed(1)} ms | ${ORIGINAL.latencyP95Ms} ms |`,
    `| the floor (the same rename, the same script started at once): median, p95 | ${latency.floorMedian.toFixed(1)} ms, ${latency.floorP95.toFixed(1)} ms | |`,
    `| what fjd adds to the floor (median) | ${(latency.median - latency.floorMedian).toFixed(1)} ms | issue 16: 4.7 ms before, target ≤ 3 ms |`,
    '',
    `| scale | fjd |`,
    '|---|---|',
    `| first job start, ${config.backlog} queued | ${scale.firstStartMs.toFixed(0)} ms |`,
    `| throughput, first jobs / last jobs of the backlog | ${scale.firstRate.toFixed(0)} / ${scale.lastRate.toFixed(0)} jobs/s |`,
    `| dispatcher peak RSS | ${scale.peakRssMb.toFixed(0)} MB |`,
    `| ${config.idleWorkers} idle slots (\`recruiter hire ${config.idleWorkers}\`: ${idle.workers} worker process${idle.workers === 1 ? '' : 'es'}) + idle dispatcher, CPU | ${idle.cpuPercent.toFixed(2)}% of one core |`,
    `| one idle worker, RSS | ${idle.workerRssMb.toFixed(0)} MB |`,
    `| fjd submit of ${config.submit} jobs, one process | ${submit.submitSeconds.toFixed(1)} s (${(config.submit / submit.submitSeconds).toFixed(0)} jobs/s) |`,
    '',
    ...slotsLines(config, r.slotsIdle, r.slotsMany),
    ...(r.costs === undefined ? [] : [...serverCostLines(r.costs, config.serverCost), '']),
    ...spawnLines(r.spawning),
    ...(ended === undefined ? [] : endedLines(ended.small, ended.large)),
    ...(ended === undefined ? [] : reportLines(ended.small, ended.large)),
    ...(dashboard === undefined ? [] : dashboardLines(dashboard, config.dashboard)),
    '| target | before (issue 16) | measured | met |',
    '|---|---|---|---|',
    ...targets.map(
      (t) =>
        `| ${t.target} | ${t.before} | ${t.measured} | ${t.met === 'not run' ? 'not run' : t.met ? 'yes' : 'no'} |`,
    ),
  ];
}
