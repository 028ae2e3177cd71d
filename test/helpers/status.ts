// `fjd status --json` of a test home, typed as the README documents it.
import type {TestHome} from './home.js';

export interface StatusJson {
  fjd: number;
  home: string;
  counts: Record<string, number>;
  jobs: {name: string; id: string | null; state: string; worker: string | null; file: string; reason: string | null}[];
  workers: {
    id: string;
    host: string;
    pid: number;
    state: string;
    job: string | null;
    jobStartedAt: string | null;
    jobRunningForMs: number | null;
    log: string | null;
    problem: string | null;
    capacity: {slots: number; cpus: number; memoryBytes: number | null; gpus: string[]} | null;
    earlierFjd: boolean;
    free: {slots: number; cpus: number; memoryBytes: number | null; gpus: number} | null;
    running: {
      slot: number;
      job: string;
      attempt: number;
      startedAt: string;
      runningForMs: number | null;
      request: {cpus: number; memoryBytes: number; gpus: number};
      gpuIds: string[];
    }[];
    assigned: string[];
  }[];
  slots: {total: number; busy: number};
  rate: {jobsPerSecond: number | null; windowSeconds: number | null};
  etaSeconds: number | null;
  slurmJobs: {
    job: string;
    slots: number;
    state: string | null;
    nodes: string | null;
    ended: boolean | null;
    problem: string | null;
  }[];
  limits: {group: string; limit: number; out: number}[];
  polling: {process: 'dispatcher' | 'worker'; worker: string | null; host: string; pid: number; reason: string}[];
}

export async function statusOf(home: TestHome): Promise<StatusJson> {
  const result = await home.run('fjd', ['status', '--json']);
  if (result.exitCode !== 0) throw new Error(`fjd status failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as StatusJson;
}
