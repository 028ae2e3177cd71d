// What a worker process offers its jobs, from its options and its host: its slots; its cpus
// (the slots, or --cpus); its memory (--memory, else what is free as it starts); its GPUs
// (--gpus, else the ids in CUDA_VISIBLE_DEVICES, else those `nvidia-smi -L` lists, else none).
import {spawnSync} from 'node:child_process';
import os from 'node:os';
import type {Capacity} from '../job/resources.js';

export interface CapacityOptions {
  slots?: number;
  cpus?: number;
  memoryBytes?: number;
  gpus?: string[];
}

// Where the host is asked; the defaults are this process's own.
export interface HostProbe {
  env?: NodeJS.ProcessEnv;
  // Where what was found (or could not be) is said, in the worker's log.
  log?: (line: string) => void;
  // The memory free for this process now, in bytes.
  freeMemory?: () => number;
  // How long nvidia-smi may take to answer.
  nvidiaSmiTimeoutMs?: number;
}

const NVIDIA_SMI_TIMEOUT_MS = 5000;

// The slots a worker gets when none are asked for by `recruiter hire`: the CPUs minus one, at
// least one.
export function defaultSlots(): number {
  return Math.max(1, os.availableParallelism() - 1);
}

// The memory free for this process: the host's available memory (MemAvailable), or less when
// a cgroup limits the process (a Slurm job's --mem), where Node can tell.
function freeMemory(): number {
  return typeof process.availableMemory === 'function' ? process.availableMemory() : os.freemem();
}

// The capacity of a worker process. Its memory, unless given, is what is free as it starts,
// not the host's total: memory that other processes (the system's, other users', another
// worker process on the host) already hold is not there for its jobs.
export function detectCapacity(options: CapacityOptions, probe: HostProbe = {}): Capacity {
  const slots = options.slots ?? 1;
  return {
    slots,
    cpus: options.cpus ?? slots,
    memoryBytes: options.memoryBytes ?? (probe.freeMemory ?? freeMemory)(),
    gpus: options.gpus ?? detectGpus(probe),
  };
}

// The GPUs of this host: those CUDA_VISIBLE_DEVICES names when it is set (empty: none, as
// CUDA reads it), else those nvidia-smi lists, else none.
export function detectGpus(probe: HostProbe = {}): string[] {
  const env = probe.env ?? process.env;
  const log = probe.log ?? (() => undefined);
  const visible = env.CUDA_VISIBLE_DEVICES;
  if (visible !== undefined) {
    const ids = visibleDevices(visible, log);
    log(
      ids.length === 0
        ? `offering no GPUs: CUDA_VISIBLE_DEVICES is "${visible}" (give --gpus to name them)`
        : `offering GPUs ${ids.join(',')}, from CUDA_VISIBLE_DEVICES`,
    );
    return ids;
  }
  const ids = listedGpus(env, log, probe.nvidiaSmiTimeoutMs ?? NVIDIA_SMI_TIMEOUT_MS);
  if (ids.length > 0) log(`offering GPUs ${ids.join(',')}, from nvidia-smi -L`);
  return ids;
}

// The ids of CUDA_VISIBLE_DEVICES, read as CUDA reads them: up to the first one that is not a
// GPU's index or UUID ("-1" and "NoDevFiles" hide them all), each once.
function visibleDevices(value: string, log: (line: string) => void): string[] {
  const ids: string[] = [];
  for (const id of value.split(',').map((item) => item.trim())) {
    if (!/^(\d+|GPU-[\w-]+|MIG-[\w/-]+)$/i.test(id)) {
      if (ids.length > 0) log(`CUDA_VISIBLE_DEVICES: "${id}" is not a GPU; the GPUs before it are offered`);
      break;
    }
    if (ids.includes(id)) log(`CUDA_VISIBLE_DEVICES names GPU ${id} twice; offering it once`);
    else ids.push(id);
  }
  return ids;
}

// The indices of the GPUs `nvidia-smi -L` lists ("GPU 0: NVIDIA A100 (UUID: …)"); none when
// nvidia-smi is not on PATH, or fails (said in the log).
function listedGpus(env: NodeJS.ProcessEnv, log: (line: string) => void, timeoutMs: number): string[] {
  const result = spawnSync('nvidia-smi', ['-L'], {
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
  });
  const code = (result.error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return [];
  const why =
    code === 'ETIMEDOUT'
      ? `did not answer within ${timeoutMs} ms`
      : result.error !== undefined
        ? `could not be run (${code ?? result.error.message})`
        : result.status !== 0
          ? `failed (${result.signal ?? `exit status ${String(result.status)}`}${firstLine(result.stderr || result.stdout)})`
          : undefined;
  if (why !== undefined) {
    log(`offering no GPUs: nvidia-smi -L ${why} (give --gpus to name them)`);
    return [];
  }
  const ids = [...result.stdout.matchAll(/^GPU (\d+):/gm)].map((match) => match[1] ?? '');
  if (ids.length === 0) log('offering no GPUs: nvidia-smi -L lists none');
  return ids;
}

function firstLine(text: string | null): string {
  const line = (text ?? '').trim().split('\n')[0]?.trim() ?? '';
  return line === '' ? '' : `: ${line}`;
}
