// The worker processes of a home as `fjd status` reports them: each one's host and pid, its
// state, its slots (what runs in each, what waits in its pod, what is free), its trouble, and
// the jobs its pod holds. Read from each worker's directory: info.json, `current`, the
// heartbeat and the pod, and the records of the jobs in the pod (once each).
import fs from 'node:fs';
import path from 'node:path';
import type {HomePaths} from '../home/layout.js';
import {listDir} from '../home/atomic.js';
import {announcementPath, heartbeatPath, podDir} from '../home/paths.js';
import {readRecord, type JobRecord} from '../home/record.js';
import {listWorkers, workerLiveness} from '../home/registry.js';
import {readRunningJobs} from '../home/current-job.js';
import {hostName} from '../util/host.js';
import {workerSlots, type WorkerSlots} from './worker-slots.js';
import {runningElsewhere} from './remote-clock.js';

export interface WorkerStatus extends WorkerSlots {
  id: string;
  host: string | null;
  pid: number | null;
  // idle: announced, nothing to do; busy: has a job; between: neither (after a job, or no
  // longer taking jobs); lost: its process is gone (same host only); starting: not registered.
  state: 'idle' | 'busy' | 'between' | 'lost' | 'starting';
  // The job in its lowest busy slot, else the first in its pod (for one-slot scripts).
  job: string | null;
  jobStartedAt: string | null;
  // How long that job has run so far; null when none runs.
  jobRunningForMs: number | null;
  log: string | null;
  // What keeps it from recording, from its heartbeat (such as ENOSPC), or null.
  problem: string | null;
}

// A job in a worker's pod: assigned, or running if the worker noted it.
export interface PodJob {
  id: string;
  name: string;
  state: 'assigned' | 'running';
  // Absolute.
  file: string;
  worker: string;
}

// A worker that finds changes by rescanning alone, its watches having failed.
export interface PollingWorker {
  worker: string;
  host: string;
  pid: number;
  reason: string;
}

function heartbeatProblem(paths: HomePaths, id: string): string | null {
  try {
    const word = fs.readFileSync(heartbeatPath(paths, id), 'utf8').trim().split(/\s+/)[1];
    return word === undefined || word === 'ok' ? null : word;
  } catch {
    return null;
  }
}

export interface WorkersReport {
  workers: WorkerStatus[];
  podJobs: PodJob[];
  polling: PollingWorker[];
}

export function collectWorkers(paths: HomePaths, now: number): WorkersReport {
  const report: WorkersReport = {workers: [], podJobs: [], polling: []};
  for (const {id, info} of listWorkers(paths)) {
    const pod = podDir(paths, id);
    const held = listDir(pod)
      .filter((name) => !name.startsWith('.'))
      .sort();
    const records = new Map<string, JobRecord | undefined>(held.map((jobId) => [jobId, readRecord(paths, jobId)]));
    const notes = readRunningJobs(paths, id);
    const slots = workerSlots({
      info,
      held,
      notes,
      recorded: (jobId) => records.get(jobId)?.request,
      runningFor:
        info !== undefined && info.host !== hostName()
          ? runningElsewhere(paths, info, notes)
          : (note) => Math.max(0, now - Date.parse(note.startedAt)),
    });
    const running = new Set(slots.running.map((job) => job.job));
    for (const jobId of held) {
      report.podJobs.push({
        id: jobId,
        name: records.get(jobId)?.name ?? jobId,
        state: running.has(jobId) ? 'running' : 'assigned',
        file: path.join(pod, jobId),
        worker: id,
      });
    }
    const alive = info === undefined ? 'unknown' : workerLiveness(info);
    if (typeof info?.polling === 'string' && alive !== 'dead')
      report.polling.push({worker: id, host: info.host, pid: info.pid, reason: info.polling});
    const first = slots.running[0];
    report.workers.push({
      id,
      host: info?.host ?? null,
      pid: info?.pid ?? null,
      state:
        info === undefined
          ? 'starting'
          : alive === 'dead'
            ? 'lost'
            : held.length > 0
              ? 'busy'
              : fs.existsSync(announcementPath(paths, id))
                ? 'idle'
                : 'between',
      job: first?.job ?? held[0] ?? null,
      jobStartedAt: first?.startedAt ?? null,
      jobRunningForMs: first?.runningForMs ?? null,
      log: info?.log ?? null,
      problem: heartbeatProblem(paths, id),
      ...slots,
    });
  }
  return report;
}

export interface SlotCounts {
  total: number;
  busy: number;
}

// The slots of the workers not lost, and how many run a job.
export function slotCounts(workers: readonly WorkerStatus[]): SlotCounts {
  const counts: SlotCounts = {total: 0, busy: 0};
  for (const w of workers) {
    if (w.state === 'lost' || w.capacity === null) continue;
    counts.total += w.capacity.slots;
    counts.busy += w.running.length;
  }
  return counts;
}
