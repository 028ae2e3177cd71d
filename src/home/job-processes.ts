// Finding, on this host, the job processes a worker started: every job runs with
// FJD_WORKER=<worker id> and FJD_JOB_ID=<job id> in its environment, which /proc shows. This is
// how the jobs of a worker that died are stopped, even one it had started but not recorded
// (recover.ts). The two variables are a protocol with the worker, which sets them.
import fs from 'node:fs';

export interface JobProcess {
  pid: number;
  // The process group to signal.
  pgid: number;
  jobId: string;
}

export function jobProcessesOf(workerId: string): JobProcess[] {
  const found: JobProcess[] = [];
  const marker = `FJD_WORKER=${workerId}\0`;
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return found;
  }
  for (const entry of entries) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    let environ: string;
    let stat: string;
    try {
      environ = fs.readFileSync(`/proc/${pid}/environ`, 'latin1');
      if (!environ.includes(marker)) continue;
      stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue;
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z') continue;
    const jobId = /(?:^|\0)FJD_JOB_ID=([^\0]*)/.exec(environ)?.[1];
    if (jobId === undefined) continue;
    found.push({pid, pgid: Number(fields[2]), jobId: Buffer.from(jobId, 'latin1').toString('utf8')});
  }
  return found;
}
