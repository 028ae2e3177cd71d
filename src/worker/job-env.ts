// The environment a job gets for the resources it holds: FJD_SLOT (its slot, 1-based, as GNU
// parallel's $PARALLEL_JOBSLOT), FJD_CPUS, CUDA_VISIBLE_DEVICES (its own GPUs) and
// OMP_NUM_THREADS; and the attempt it is (FJD_ATTEMPT). Pure: the worker sets what this returns
// over its own environment and the job's [env].

// What a job holds of its worker while it runs.
export interface HeldResources {
  slot: number;
  cpus: number;
  gpus: readonly string[];
}

// The variables to set for a job holding `held` on a worker that has GPUs or not, whose own
// environment is `workerEnv`. CUDA_VISIBLE_DEVICES is the job's GPU ids, comma-separated, and
// empty for a job with none on a worker with GPUs (unset would let it see every GPU); on a
// worker without GPUs it is left as inherited. OMP_NUM_THREADS is the job's cpus, unless the
// worker's environment sets it (a user's choice, kept).
export function jobResourceEnv(
  held: HeldResources,
  workerHasGpus: boolean,
  workerEnv: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const env: Record<string, string> = {FJD_SLOT: String(held.slot), FJD_CPUS: String(held.cpus)};
  if (workerHasGpus) env.CUDA_VISIBLE_DEVICES = held.gpus.join(',');
  const omp = workerEnv.OMP_NUM_THREADS;
  if (omp === undefined || omp.trim() === '') env.OMP_NUM_THREADS = String(held.cpus);
  return env;
}

// The variable of the attempt a run is: FJD_ATTEMPT, its number in the job's record (1 for the
// first run, 2 for the next, whether a retry or a run after its worker was lost).
export function attemptEnv(attempt: number): Record<string, string> {
  return {FJD_ATTEMPT: String(attempt)};
}
