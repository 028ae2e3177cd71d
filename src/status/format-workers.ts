// The worker processes in `fjd status` for people: a line of totals (processes, hosts, slots
// busy of all), then one line per process (its host, pid, state, slots busy and what is free),
// and under a process of several slots one line per running job, or one line for them all
// when it runs many, so that a hundred hosts stay readable. A process of one slot (and a
// worker of an earlier fjd) keeps the one line it always had, its job on it.
import {formatBytes, formatRequest, isDefaultRequest} from '../job/resources.js';
import {roughDuration} from './rate.js';
import type {SlotCounts, WorkerStatus} from './workers.js';
import type {SlotJob} from './worker-slots.js';

// A process that runs more jobs than this shows them on one line.
export const MAX_SLOT_LINES = 8;
// How many job ids a summary line names before "and N more".
const NAMED = 5;

const number = new Intl.NumberFormat('en-US');

const plural = (count: number, noun: string): string => `${number.format(count)} ${noun}${count === 1 ? '' : 's'}`;

function ranFor(ms: number | null): string {
  return ms === null ? '' : ` for ${roughDuration(ms / 1000)}`;
}

// Some ids, the rest counted: "a, b, c, d, e and 3 more".
function someOf(ids: readonly string[]): string {
  if (ids.length <= NAMED + 1) return ids.join(', ');
  return `${ids.slice(0, NAMED).join(', ')} and ${ids.length - NAMED} more`;
}

// What a process has free: "free: 1 cpu, 11.2G memory, 1 GPU" (memory when it counts it,
// GPUs when it has some); nothing when all its slots are busy.
function freeText(w: WorkerStatus): string {
  const {capacity, free} = w;
  if (capacity === null || free === null || free.slots <= 0 || w.state === 'lost') return '';
  const parts = [plural(Math.max(0, free.cpus), 'cpu')];
  if (free.memoryBytes !== null) parts.push(`${formatBytes(Math.max(0, free.memoryBytes))} memory`);
  if (capacity.gpus.length > 0) parts.push(plural(Math.max(0, free.gpus), 'GPU'));
  return `; free: ${parts.join(', ')}`;
}

// What a job holds, when it is more than one cpu: "  (2 cpus, 1G of memory, GPUs 0,1)".
function holds(job: SlotJob): string {
  if (isDefaultRequest(job.request)) return '';
  const ids = job.gpuIds;
  const said = formatRequest({...job.request, gpus: ids.length > 0 ? 0 : job.request.gpus});
  return `  (${said}${ids.length === 0 ? '' : `, GPU${ids.length === 1 ? '' : 's'} ${ids.join(',')}`})`;
}

function slotLines(w: WorkerStatus): string[] {
  const lines: string[] = [];
  if (w.running.length > MAX_SLOT_LINES) {
    const spans = w.running.flatMap((job) => (job.runningForMs === null ? [] : [job.runningForMs]));
    const span =
      spans.length === 0
        ? ''
        : ` for ${roughDuration(Math.min(...spans) / 1000)} to ${roughDuration(Math.max(...spans) / 1000)}`;
    lines.push(`    ${w.running.length} jobs running${span}: ${someOf(w.running.map((job) => job.job))}`);
  } else {
    for (const job of w.running) lines.push(`    slot ${job.slot}  ${job.job}${ranFor(job.runningForMs)}${holds(job)}`);
  }
  if (w.assigned.length > 0) lines.push(`    assigned, not started: ${someOf(w.assigned)}`);
  return lines;
}

// A process's lines: its own, and under it those of its slots when it has several.
export function workerLines(w: WorkerStatus): string[] {
  const problem = w.problem === null ? '' : `  (cannot record: ${w.problem})`;
  const head = `  ${w.id}  ${w.host ?? '?'}  pid ${w.pid ?? '?'}  ${w.state}`;
  if (w.capacity === null || w.capacity.slots === 1) {
    const ran = w.running.find((job) => job.job === w.job)?.runningForMs ?? null;
    const job = w.job === null ? '' : `  ${w.job}${ranFor(ran)}`;
    const earlier = w.earlierFjd ? '  (a worker of an earlier fjd: 1 slot)' : '';
    return [`${head}${job}${earlier}${problem}`];
  }
  const slots = `  ${w.running.length} of ${w.capacity.slots} slots busy${freeText(w)}`;
  return [`${head}${slots}${problem}`, ...slotLines(w)];
}

// "Workers: 2 on 2 hosts; slots: 5 of 8 busy", or how to hire some.
export function workersLine(workers: readonly WorkerStatus[], slots: SlotCounts): string {
  if (workers.length === 0) return 'Workers: none (hire some with: recruiter hire)';
  const hosts = new Set(workers.flatMap((w) => (w.host === null ? [] : [w.host]))).size;
  const where = hosts > 1 ? ` on ${number.format(hosts)} hosts` : '';
  return `Workers: ${number.format(workers.length)}${where}; slots: ${number.format(slots.busy)} of ${number.format(slots.total)} busy`;
}
