// `fjd status` as text for people: the counts, the rate and what is left, the limits, the
// worker processes (format-workers.ts), the Slurm jobs and who polls.
import type {PollingProcess, StatusReport} from './status.js';
import {workerLines, workersLine} from './format-workers.js';
import {roughDuration} from './rate.js';

const number = new Intl.NumberFormat('en-US');

// A rate as people read it: "412 jobs/s", "2.5 jobs/s", "12 jobs/min".
export function formatRate(jobsPerSecond: number): string {
  if (jobsPerSecond >= 10) return `${number.format(Math.round(jobsPerSecond))} jobs/s`;
  if (jobsPerSecond >= 1) return `${Number(jobsPerSecond.toFixed(1))} jobs/s`;
  const perMinute = jobsPerSecond * 60;
  return `${perMinute >= 10 ? Math.round(perMinute) : Number(perMinute.toFixed(1))} jobs/min`;
}

function rateLine(report: StatusReport): string {
  const {jobsPerSecond, windowSeconds} = report.rate;
  if (jobsPerSecond === null || windowSeconds === null) return 'Rate: no job ended in the last 5 minutes';
  return `Rate: ${formatRate(jobsPerSecond)} over the last ${roughDuration(windowSeconds)}; ${timeLeft(report)}`;
}

// What is left, and how long it takes at the rate; none is told while the queue is paused with
// jobs open (status.ts gives no etaSeconds then).
function timeLeft(report: StatusReport): string {
  const c = report.counts;
  const left = c.open + c.assigned + c.running;
  if (left === 0) return 'no job left';
  const jobs = `${number.format(left)} job${left === 1 ? '' : 's'}`;
  if (report.paused !== null && c.open > 0) return `paused, so no time left is told for ${jobs}`;
  if (report.etaSeconds === null) return 'no job left';
  return `about ${roughDuration(report.etaSeconds)} left for ${jobs}`;
}

export function formatStatus(report: StatusReport): string {
  const c = report.counts;
  const lines = [
    `Home: ${report.home}`,
    `Jobs: ${c.open} open, ${c.assigned} assigned, ${c.running} running, ${c.finished} finished, ${c.failed} failed`,
    rateLine(report),
  ];
  if (report.paused !== null) lines.push(pausedLine(report.paused));
  if (report.limits.length > 0) lines.push(limitsLine(report));
  lines.push(workersLine(report.workers, report.slots));
  for (const w of report.workers) lines.push(...workerLines(w));
  for (const s of report.slurmJobs) lines.push(slurmLine(s));
  lines.push(...pollingLines(report.polling));
  return `${lines.join('\n')}\n`;
}

// `Paused: by vm:4242 since 2026-…: no job is handed out until "fjd resume"`.
function pausedLine(note: NonNullable<StatusReport['paused']>): string {
  const who = [note.by === '' ? '' : `by ${note.by}`, note.pausedAt === '' ? '' : `since ${note.pausedAt}`];
  const said = who.filter((part) => part !== '').join(' ');
  return `Paused${said === '' ? '' : ` ${said}`}: no job is handed out until "fjd resume"; running jobs go on`;
}

// The group limits in force and how full each is: `Limits: gpu 1 of 1 out, big 0 of 0 out (…)`.
function limitsLine(report: StatusReport): string {
  const said = report.limits.map(
    (g) => `${g.group} ${g.out} of ${g.limit} out${g.limit === 0 ? ' (a limit of 0: its jobs never run)' : ''}`,
  );
  return `Limits: ${said.join(', ')}`;
}

function slurmLine(s: StatusReport['slurmJobs'][number]): string {
  const slots = `${s.slots} slot${s.slots === 1 ? '' : 's'}`;
  if (s.ended === null) return `Slurm job ${s.job}: state unknown, ${s.problem ?? 'squeue did not say'} (${slots})`;
  if (s.ended) return `Slurm job ${s.job}: ended (${s.state ?? 'squeue no longer lists it'})`;
  return `Slurm job ${s.job}: ${s.state ?? '?'}${s.nodes === null ? '' : ` on ${s.nodes}`} (${slots})`;
}

// Which processes poll, grouped by why: `the dispatcher (pid 4242 on vm) and workers vm-1, vm-2: …`.
function pollingLines(polling: PollingProcess[]): string[] {
  if (polling.length === 0) return [];
  const byReason = new Map<string, PollingProcess[]>();
  for (const p of polling) byReason.set(p.reason, [...(byReason.get(p.reason) ?? []), p]);
  const lines = ['Polling: inotify could not be used, so these find changes by rescanning, a little later:'];
  for (const [reason, processes] of byReason) {
    const who: string[] = processes
      .filter((p) => p.process === 'dispatcher')
      .map((p) => `the dispatcher (pid ${p.pid} on ${p.host})`);
    const workers = processes.filter((p) => p.process === 'worker').map((p) => p.worker ?? '?');
    const shown = workers.length > 6 ? [...workers.slice(0, 5), `${workers.length - 5} more`] : workers;
    if (workers.length > 0) who.push(`${workers.length === 1 ? 'worker' : 'workers'} ${shown.join(', ')}`);
    lines.push(`  ${who.join(' and ')}: ${reason}`);
  }
  return lines;
}
