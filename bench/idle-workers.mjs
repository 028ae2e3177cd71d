// The idle scenario: `workers` slots hired (`recruiter hire N`) and a watching dispatcher,
// settled and then idle: the CPU they use together (and the dispatcher's share, logged) and
// one idle worker's RSS.
import {setTimeout as delay} from 'node:timers/promises';
import {dispatcherEnd, fjd, freshHome, log, median, watchingDispatcher} from './harness.mjs';
import {cpuNs, pidsOf, statusKb} from './processes.mjs';

export async function idleScenario({workers: slots, settleSeconds, seconds: idleSeconds}) {
  const home = freshHome('idle');
  fjd('recruiter', ['hire', String(slots)], home);
  const dispatcher = await watchingDispatcher(home);
  // Idle means settled: workers look at their pods less often after ten seconds without a job,
  // and Node's own start-up work (compiling, then shrinking the heap) is over after about 20 s
  // (measured in 5 s slices: 7.8, 3.4, 6.5, 1.4, 0.6, then 0.3-0.9% of a core for 32 workers).
  await delay(settleSeconds * 1000);
  const workers = pidsOf(home, 'worker.js');
  const pids = [...workers, dispatcher.pid];
  const before = pids.map(cpuNs);
  const t0 = performance.now();
  await delay(idleSeconds * 1000);
  const after = pids.map(cpuNs);
  const seconds = (performance.now() - t0) / 1000;
  const used = after.reduce((sum, t, i) => sum + t - before[i], 0);
  const cpuPercent = (used / 1e9 / seconds) * 100;
  const dispatcherPercent = ((after.at(-1) - before.at(-1)) / 1e9 / seconds) * 100;
  log(
    `  idle: dispatcher ${dispatcherPercent.toFixed(2)}%, workers ${(cpuPercent - dispatcherPercent).toFixed(2)}% of one core`,
  );
  const workerRssMb = median(workers.map((pid) => statusKb(pid, 'VmRSS'))) / 1024;
  await dispatcherEnd(dispatcher, 'SIGINT');
  fjd('recruiter', ['fire'], home);
  return {cpuPercent, workerRssMb, workers: workers.length, slots};
}
