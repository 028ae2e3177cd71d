// The environment a job gets from the slot it runs in: FJD_SLOT (1-based, as GNU parallel's
// {%}), FJD_CPUS, CUDA_VISIBLE_DEVICES (its own GPUs; empty for a job that asked for none on a
// worker with GPUs, so that it sees none; untouched on a worker without), and OMP_NUM_THREADS
// (its cpus, unless the worker's own environment sets it).
import type {Capacity} from '../job/resources.js';
import type {Holding} from './slots.js';

export function resourceEnv(
  holding: Holding,
  capacity: Capacity,
  workerEnv: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const env: Record<string, string> = {
    FJD_SLOT: String(holding.slot),
    FJD_CPUS: String(holding.request.cpus),
  };
  if (capacity.gpus.length > 0) env.CUDA_VISIBLE_DEVICES = holding.gpus.join(',');
  if (workerEnv.OMP_NUM_THREADS === undefined) env.OMP_NUM_THREADS = String(holding.request.cpus);
  return env;
}
