// Cancelling the recorded Slurm jobs with scancel. Slurm then signals every process of the
// job, TERM first and KILL after its KillWait: the workers put their running jobs back in
// jobqueue/ and leave. The record stays, marked cancelled, so that `fjd status` can say the
// job ended; the next `recruiter fire` removes the records of jobs cancelled before.
import type {HomePaths} from '../home/layout.js';
import {listSlurmRecords, removeSlurmRecord, writeSlurmRecord, type SlurmJobRecord} from './record.js';
import {runSlurmClient} from './run-client.js';

export interface SlurmCancelResult {
  // Jobs scancel cancelled (or found already ended).
  cancelled: SlurmJobRecord[];
  // Records of jobs cancelled by an earlier fire, removed now.
  forgotten: SlurmJobRecord[];
  // Jobs scancel could not cancel, with what it said.
  failed: {record: SlurmJobRecord; problem: string}[];
}

export function cancelSlurmJobs(paths: HomePaths, env: NodeJS.ProcessEnv): SlurmCancelResult {
  const result: SlurmCancelResult = {cancelled: [], forgotten: [], failed: []};
  for (const record of listSlurmRecords(paths)) {
    if (record.cancelledAt !== null) {
      removeSlurmRecord(paths, record.job);
      result.forgotten.push(record);
      continue;
    }
    const args = record.cluster === null ? [record.job] : [`--clusters=${record.cluster}`, record.job];
    const ran = runSlurmClient('scancel', args, {env});
    // scancel is silent and successful for a job that has ended; an error names the job.
    if (ran.problem !== null || ran.status !== 0) {
      const said = ran.stderr.trim();
      result.failed.push({
        record,
        problem: ran.problem ?? `scancel exit code ${String(ran.status)}${said === '' ? '' : `: ${said}`}`,
      });
      continue;
    }
    record.cancelledAt = new Date().toISOString();
    writeSlurmRecord(paths, record);
    result.cancelled.push(record);
  }
  return result;
}
