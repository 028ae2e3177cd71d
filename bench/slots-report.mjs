// The lines of the benchmark's table for the scenarios of issue 15 (idle slots, many slots),
// and their targets as [target, ratio (≥ need: met; NaN: not run), need, measured].
const int = (x) => Math.round(x).toLocaleString('en-US');
const fixed = (x, digits, unit = '') =>
  x === undefined || Number.isNaN(x) ? 'not run' : `${x.toFixed(digits)}${unit}`;
const byCall = (calls, seconds) =>
  Object.entries(calls ?? {})
    .slice(0, 5)
    .map(([name, n]) => `${name} ${(n / seconds).toFixed(1)}`)
    .join(', ') || 'none';

export function slotsLines(config, idle, many) {
  const lines = [];
  if (idle !== undefined) {
    const c = config.idleSlots;
    const ops =
      idle.metadataError !== undefined
        ? `not counted: ${idle.metadataError}`
        : `${idle.metadataPerSecond.toFixed(1)}/s: dispatcher ${idle.dispatcherMetadataPerSecond.toFixed(1)} ` +
          `(${byCall(idle.dispatcherMetadataByCall, idle.straceSeconds)}), workers ` +
          `${(idle.metadataPerSecond - idle.dispatcherMetadataPerSecond).toFixed(1)} ` +
          `(${byCall(idle.workersMetadataByCall, idle.straceSeconds)}); besides, writes in place (pwrite64) ` +
          `${(((idle.dispatcherCalls.pwrite64 ?? 0) + (idle.workersCalls.pwrite64 ?? 0)) / idle.straceSeconds).toFixed(1)}/s`;
    lines.push(
      `| ${c.slots} idle slots (\`recruiter hire ${c.slots}\`) and a watching dispatcher, ${c.settleSeconds} s after, over ${c.seconds} s (load average ${idle.loadAverage.toFixed(1)}) | fjd |`,
      '|---|---|',
      `| fjd processes (workers + dispatcher) | ${idle.processes} (${idle.workerProcesses} + 1), ${idle.threads} threads, ${idle.inotifyInstances} inotify instances |`,
      `| their memory, summed: RSS / PSS / USS | ${int(idle.rssMb)} / ${int(idle.pssMb)} / ${int(idle.ussMb)} MB (dispatcher ${int(idle.dispatcherRssMb)} MB RSS) |`,
      `| their CPU: schedstat (utime + stime of stat) | ${idle.cpuPercent.toFixed(2)}% (${idle.cpuTicksPercent.toFixed(2)}%) of one core; dispatcher ${idle.dispatcherCpuPercent.toFixed(2)}% |`,
      `| their filesystem metadata operations (strace, ${c.seconds} s more) | ${ops} |`,
      '',
    );
  }
  if (many !== undefined) {
    const c = config.manySlots;
    lines.push(
      `| ${int(c.slots)} slots (${many.hires} hires of ${c.perHire}), ${int(c.jobs)} jobs of \`sleep ${c.sleepSeconds}\` (load average ${many.loadAverage.toFixed(1)}) | wall time | × ideal (${many.idealSeconds} s) |`,
      '|---|---|---|',
    );
    if (many.skipped !== undefined) {
      lines.push(`| fjd | not run: ${many.skipped} | |`);
    } else {
      lines.push(
        `| fjd (${many.processes} processes), first job dropped to last ended | ${many.fjdSeconds.toFixed(1)} s | ${(many.fjdSeconds / many.idealSeconds).toFixed(2)}× |`,
        `| fjd's peak memory while they ran, summed: RSS / PSS / USS (sum of each one's peak RSS) | ${int(many.peakRssMb)} / ${int(many.peakPssMb)} / ${int(many.peakUssMb)} MB (${int(many.hwmSumMb)} MB) | |`,
      );
    }
    if (many.parallelSeconds !== undefined) {
      lines.push(
        `| GNU parallel \`-j${c.slots} -N0 sleep ${c.sleepSeconds}\` (load average ${many.parallelLoadAverage.toFixed(1)}) | ${many.parallelSeconds.toFixed(1)} s | ${(many.parallelSeconds / many.idealSeconds).toFixed(2)}× |`,
      );
    }
    lines.push('');
  }
  return lines;
}

export function slotsTargets(config, idle, many) {
  const i = config.idleSlots;
  const m = config.manySlots;
  const ops = idle?.metadataPerSecond;
  return [
    [`${i.slots} idle slots: at most 2 processes`, 2 / (idle?.processes ?? NaN), 1, `${idle?.processes ?? 'not run'}`],
    [
      `${i.slots} idle slots: at most 200 MB of RSS in all`,
      200 / (idle?.rssMb ?? NaN),
      1,
      fixed(idle?.rssMb, 0, ' MB'),
    ],
    [
      `${i.slots} idle slots: under 1% of a core`,
      1 / Math.max(idle?.cpuPercent ?? NaN, 1e-9),
      1,
      fixed(idle?.cpuPercent, 2, '%'),
    ],
    [
      `${i.slots} idle slots: at most 5 filesystem metadata operations per second`,
      5 / Math.max(ops ?? NaN, 1e-9),
      1,
      fixed(ops, 1, '/s'),
    ],
    [
      `${m.slots} slots, ${m.jobs} jobs of sleep ${m.sleepSeconds}: within 2× the ideal`,
      (2 * (many?.idealSeconds ?? NaN)) / (many?.fjdSeconds ?? NaN),
      1,
      fixed(many?.fjdSeconds, 1, ' s'),
    ],
    [
      `${m.slots} slots: fjd's processes within 3 GB (peak RSS)`,
      3072 / (many?.peakRssMb ?? NaN),
      1,
      fixed(many?.peakRssMb, 0, ' MB'),
    ],
  ];
}
