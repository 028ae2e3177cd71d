// What the dispatcher is told (its options), and what it tells: its events, its progress and
// its summary at the end, as values for the CLI to format (src/cli/dispatch-events.ts,
// src/cli/dispatch-summary.ts).
import type {WorkerLoss} from '../home/worker-loss.js';
import type {Request} from '../job/resources.js';
import type {HaltRule} from './halt.js';

export interface DispatcherOptions {
  home: string;
  // Keep running when the queue is empty, for jobs that arrive later.
  watch: boolean;
  // How long a file written in place must stay unchanged before it is taken.
  settleMs?: number;
  // How long a newly appeared file is watched for signs of an in-place writer.
  probeMs?: number;
  // How often the directories are listed again without an event.
  rescanMs?: number;
  // A worker whose heartbeat has not changed for this long is presumed dead (for a worker
  // whose heartbeat is longer than a third of it: three of its heartbeats, see lease.ts).
  leaseMs?: number;
  // How many lost workers a job may see before it fails with "worker lost".
  maxAttempts?: number;
  // Allow a home that its group may write.
  groupShared?: boolean;
  // How long to wait before assigning again when the filesystem refuses (full, read-only).
  retryIoMs?: number;
  // Group limits (--limit NAME=K); they win over the home's `limits` file.
  limits?: Map<string, number>;
  // How many jobs found by listing are read ahead of the pairing (default 2,000).
  readAhead?: number;
  // Fail-fast (--halt): when to stop handing out jobs (and, `now`, cancel those out).
  halt?: HaltRule;
  onEvent?: (event: DispatcherEvent) => void;
}

export type DispatcherEvent =
  | {type: 'started'; home: string; jobs: number; workers: number; running: number}
  | {type: 'found'; count: number}
  // No worker may take a job now: `workers` are registered and alive, `busy` of them hold jobs.
  | {type: 'waiting-for-workers'; jobs: number; workers: number; busy: number}
  | {type: 'not-a-job'; name: string; kind: string}
  // `reason`: what the job's record says (its text is protocol: `fjd status` shows it too).
  | {type: 'job-ended'; id: string; name: string; outcome: 'finished' | 'failed'; reason: string | null}
  | {type: 'job-requeued'; id: string; name: string; reason: string | null}
  // No worker known could run what the job asks for (`reason`: how it falls short, as
  // job/resources.ts unfittable() says it); it waits. Told once per kind of request.
  | {type: 'job-unfittable'; name: string; request: Request; reason: string}
  | {type: 'worker-lost'; worker: string; loss: WorkerLoss; requeued: string[]; failed: string[]}
  | {type: 'waiting-for-lock'; message: string}
  | {type: 'worker-left'; worker: string}
  | {type: 'warning'; message: string}
  // A directory of the home fjd may not trust now (src/home/directories.ts): nothing is moved
  // through it until it is fixed; then 'home-safe'.
  | {type: 'home-unsafe'; path: string | null; message: string; hint: string | null}
  | {type: 'home-safe'}
  // The queue is paused (`fjd pause`: found so at the start, or since): nothing is handed
  // out until it is resumed; `open` jobs wait in jobqueue/.
  | {type: 'paused'; pausedAt: string; by: string; open: number}
  | {type: 'resumed'; open: number}
  // The --halt rule was reached: nothing more is handed out; `handedOut` jobs were out then
  // (cancelled, for `now`), `open` stay in jobqueue/.
  | {type: 'halting'; cause: HaltCause; handedOut: number; open: number};

// Why a run halted: its rule as given ("soon,fail=3"), the failures counted, and the jobs of
// the run (ended, open and handed out) when it was reached.
export interface HaltCause {
  rule: string;
  when: HaltRule['when'];
  failed: number;
  jobs: number;
}

export interface DispatchSummary {
  finished: number;
  failed: number;
  requeued: number;
  failedJobs: {id: string; reason: string | null}[];
  wallMs: number;
  interrupted: boolean;
  // Why the run halted (--halt), or null when it did not.
  halted: HaltCause | null;
  // The home's totals at the end, with the jobs of earlier runs: done/ and failed/ as listed
  // at the start plus the ends seen since, and the jobs not yet ended (queued or handed out).
  home: {finished: number; failed: number; open: number};
}

// What a progress display shows: jobs known in jobqueue/, jobs handed out and not yet ended,
// the jobs running (those handed out, up to each worker's slots), and the jobs that ended
// during this run.
export interface DispatchProgress {
  open: number;
  assigned: number;
  running: number;
  finished: number;
  failed: number;
  // Why nothing more is handed out for now, if so: the queue is paused (`fjd pause`), or the
  // run halted (--halt). No time left is told then.
  held?: 'paused' | 'halted';
}
