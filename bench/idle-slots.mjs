// The idle-slots scenario (issue 15): `recruiter hire N` (64 slots) and a watching dispatcher,
// left idle, then measured as whatever runs: how many fjd processes serve the home (64 workers
// of an fjd that runs one job per process, one of an fjd with slots, and the dispatcher), their
// memory (RSS and PSS summed), their CPU (schedstat, and utime + stime of /proc/PID/stat), their
// inotify instances, and, in a second window of the same length under strace, their filesystem
// metadata operations per second (strace slows what it traces, so CPU is measured without it).
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {setTimeout as delay} from 'node:timers/promises';
import {BIN, REPO, fjd, freshHome, log, waitFor} from './harness.mjs';
import {cpuNs, cpuTicksNs, fjdProcesses, inotifyInstances, memoryOf, threadsOf} from './processes.mjs';
import {countCalls} from './strace.mjs';

// config: {slots, settleSeconds, seconds, strace (undefined, or why it cannot run)}
export async function idleSlots(config) {
  const home = freshHome('idle-slots');
  const loadAverage = os.loadavg()[0];
  const hireStarted = performance.now();
  fjd('recruiter', ['hire', String(config.slots)], home);
  const hireSeconds = (performance.now() - hireStarted) / 1000;
  const dispatcher = spawn(path.join(BIN, 'dispatcher'), ['--watch', '--quiet', '--home', home], {
    env: {...process.env, FJD_HOME: home},
    cwd: home,
    stdio: 'ignore',
  });
  const dispatcherEnded = new Promise((resolve) => dispatcher.on('exit', resolve));
  try {
    await waitFor(() => fs.existsSync(path.join(home, '.fjd', 'dispatcher.lock')), 10_000, 'the dispatcher to start');
    // Idle means settled: Node's start-up work (compiling, then shrinking the heap) is over
    // about 20 s after a process starts, and workers look at their pods less often after ten
    // seconds without a job (see the idle scenario).
    await delay(config.settleSeconds * 1000);
    const pids = fjdProcesses(home, REPO);
    if (!pids.includes(dispatcher.pid)) throw new Error('the dispatcher is not among the processes found');
    const workers = pids.filter((pid) => pid !== dispatcher.pid);

    const before = pids.map((pid) => [cpuNs(pid), cpuTicksNs(pid)]);
    const t0 = performance.now();
    await delay(config.seconds * 1000);
    const after = pids.map((pid) => [cpuNs(pid), cpuTicksNs(pid)]);
    const seconds = (performance.now() - t0) / 1000;
    const percent = (k, only = () => true) =>
      (pids.reduce((sum, pid, i) => sum + (only(pid) ? after[i][k] - before[i][k] : 0), 0) / 1e9 / seconds) * 100;
    const cpuPercent = percent(0);
    const dispatcherPercent = percent(0, (pid) => pid === dispatcher.pid);
    const memory = memoryOf(pids);
    const dispatcherMemory = memoryOf([dispatcher.pid]);
    const result = {
      slots: config.slots,
      loadAverage,
      hireSeconds,
      processes: pids.length,
      workerProcesses: workers.length,
      threads: pids.reduce((sum, pid) => sum + (threadsOf(pid) || 0), 0),
      inotifyInstances: pids.reduce((sum, pid) => sum + inotifyInstances(pid), 0),
      rssMb: memory.rssMb,
      pssMb: memory.pssMb,
      ussMb: memory.ussMb,
      dispatcherRssMb: dispatcherMemory.rssMb,
      seconds,
      cpuPercent,
      cpuTicksPercent: percent(1),
      dispatcherCpuPercent: dispatcherPercent,
    };
    log(
      `  idle slots: ${result.processes} processes (${result.workerProcesses} workers), RSS ${memory.rssMb.toFixed(0)} MB, PSS ${memory.pssMb.toFixed(0)} MB, USS ${memory.ussMb.toFixed(0)} MB, CPU ${cpuPercent.toFixed(2)}% (dispatcher ${dispatcherPercent.toFixed(2)}%, from stat ${result.cpuTicksPercent.toFixed(2)}%)`,
    );

    if (config.strace !== undefined) {
      result.metadataError = config.strace;
    } else {
      // The dispatcher and the workers each under their own strace, at once: the split.
      const [ofDispatcher, ofWorkers] = await Promise.all([
        countCalls([dispatcher.pid], config.seconds, path.join(home, 'strace-dispatcher.txt')),
        countCalls(workers, config.seconds, path.join(home, 'strace-workers.txt')),
      ]);
      const error = ofDispatcher.error ?? ofWorkers.error;
      if (error !== undefined) {
        result.metadataError = error;
      } else {
        result.straceSeconds = ofWorkers.seconds;
        result.metadataPerSecond = ofDispatcher.perSecond + ofWorkers.perSecond;
        result.dispatcherMetadataPerSecond = ofDispatcher.perSecond;
        result.dispatcherMetadataByCall = ofDispatcher.metadata.byCall;
        result.workersMetadataByCall = ofWorkers.metadata.byCall;
        result.dispatcherCalls = ofDispatcher.calls;
        result.workersCalls = ofWorkers.calls;
        const rates = (counted) =>
          Object.entries(counted.metadata.byCall)
            .map(([name, n]) => `${name} ${(n / counted.seconds).toFixed(1)}`)
            .join(', ') || 'none';
        log(
          `  idle slots: ${result.metadataPerSecond.toFixed(1)} metadata operations/s: dispatcher ${ofDispatcher.perSecond.toFixed(1)} (${rates(ofDispatcher)}), workers ${ofWorkers.perSecond.toFixed(1)} (${rates(ofWorkers)})`,
        );
      }
    }
    return result;
  } finally {
    dispatcher.kill('SIGINT');
    await dispatcherEnded;
    fjd('recruiter', ['fire', '--now', '--wait'], home, {check: false});
  }
}
