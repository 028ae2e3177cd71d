// fjd as a library: the same operations the command-line tools use.
export {FjdError, type FjdErrorCode} from './errors.js';
export {homePaths, ensureHome, resolveHome, type HomePaths} from './home/layout.js';
export {parseJobFile, parseJobText, parseIni, type JobFile, type JobControl} from './job/job-file.js';
export {planCommand, splitWords} from './job/command.js';
export type {JobRecord, AttemptRecord, JobState} from './home/record.js';
export {
  Dispatcher,
  type DispatcherOptions,
  type DispatcherEvent,
  type DispatchSummary,
} from './dispatcher/dispatcher.js';
export {Worker, type WorkerOptions} from './worker/worker.js';
export {hireWorkers, type HireOptions, type HireResult} from './recruiter/hire.js';
export {fireWorkers, type FireOptions, type FireResult} from './recruiter/fire.js';
export {defaultHostsFile, parseHostsText, readHostsFile, type HostEntry} from './recruiter/hosts.js';
export {hireOnHosts, sshCommandFrom, type HostOutcome, type RemoteHireOptions} from './recruiter/remote.js';
export {collectStatus, type StatusReport} from './status/status.js';
export {findJob, type FoundJob} from './home/find-job.js';
export {hireSlurm, type SlurmHireOptions} from './slurm/submit.js';
export {cancelSlurmJobs, type SlurmCancelResult} from './slurm/scancel.js';
export type {SlurmJobRecord} from './slurm/record.js';
