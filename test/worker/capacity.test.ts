// A worker process's capacity from its options and its host, with the host faked: its free
// memory a function, its GPUs a fake `nvidia-smi` script on PATH and CUDA_VISIBLE_DEVICES.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {detectCapacity, detectGpus, type HostProbe} from '../../src/worker/capacity.js';

const GIB = 1024 ** 3;
let dir: string;
let lines: string[];
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fjd-capacity-'));
  lines = [];
});
afterEach(() => {
  fs.rmSync(dir, {recursive: true, force: true});
});

// A fake nvidia-smi on a PATH of its own: it notes each run in `ran`, then runs `body`.
function nvidiaSmi(body: string): string {
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin, {recursive: true});
  fs.writeFileSync(path.join(bin, 'nvidia-smi'), `#!/bin/sh\necho "$@" >> ${dir}/ran\n${body}\n`, {mode: 0o755});
  return `${bin}:/usr/bin:/bin`;
}

function probe(env: NodeJS.ProcessEnv, more: Partial<HostProbe> = {}): HostProbe {
  return {env, log: (line) => lines.push(line), freeMemory: () => 10 * GIB, ...more};
}

const ran = (): string[] =>
  fs.existsSync(path.join(dir, 'ran'))
    ? fs.readFileSync(path.join(dir, 'ran'), 'utf8').split('\n').filter(Boolean)
    : [];

const A100S = `cat <<'EOF'
GPU 0: NVIDIA A100-SXM4-40GB (UUID: GPU-4b3a2c1d-0000-1111-2222-333344445555)
GPU 1: NVIDIA A100-SXM4-40GB (UUID: GPU-4b3a2c1d-0000-1111-2222-333344445556)
  MIG 1g.5gb      Device  0: (UUID: MIG-11112222-3333-4444-5555-666677778888)
GPU 3: NVIDIA A100-SXM4-40GB (UUID: GPU-4b3a2c1d-0000-1111-2222-333344445558)
EOF`;

describe('the capacity of a worker process', () => {
  it('offers cpus as its slots unless given, and the memory free as it starts unless given', () => {
    const env = {PATH: nvidiaSmi('exit 0')};
    expect(detectCapacity({}, probe(env))).toEqual({slots: 1, cpus: 1, memoryBytes: 10 * GIB, gpus: []});
    expect(detectCapacity({slots: 4}, probe(env))).toEqual({slots: 4, cpus: 4, memoryBytes: 10 * GIB, gpus: []});
    expect(detectCapacity({slots: 4, cpus: 2, memoryBytes: 3 * GIB, gpus: ['7']}, probe(env))).toEqual({
      slots: 4,
      cpus: 2,
      memoryBytes: 3 * GIB,
      gpus: ['7'],
    });
  });

  it("measures this host's free memory by default: some, and no more than the host has", () => {
    const {memoryBytes} = detectCapacity({}, {env: {PATH: path.join(dir, 'none')}});
    expect(memoryBytes).toBeGreaterThan(0);
    expect(memoryBytes).toBeLessThanOrEqual(os.totalmem());
  });

  it('takes the GPUs given over CUDA_VISIBLE_DEVICES and nvidia-smi, without running nvidia-smi', () => {
    const env = {PATH: nvidiaSmi(A100S), CUDA_VISIBLE_DEVICES: '5'};
    expect(detectCapacity({gpus: ['0', '2']}, probe(env)).gpus).toEqual(['0', '2']);
    expect(detectCapacity({gpus: []}, probe(env)).gpus).toEqual([]);
    expect(ran()).toEqual([]);
  });
});

describe('the GPUs of a host', () => {
  it('are those nvidia-smi -L lists (GPUs, not their MIG devices), said in the log', () => {
    expect(detectGpus(probe({PATH: nvidiaSmi(A100S)}))).toEqual(['0', '1', '3']);
    expect(ran()).toEqual(['-L']);
    expect(lines).toEqual(['offering GPUs 0,1,3, from nvidia-smi -L']);
  });

  it('are those CUDA_VISIBLE_DEVICES names when it is set, and nvidia-smi is not asked', () => {
    expect(detectGpus(probe({PATH: nvidiaSmi(A100S), CUDA_VISIBLE_DEVICES: '2,0'}))).toEqual(['2', '0']);
    expect(lines).toEqual(['offering GPUs 2,0, from CUDA_VISIBLE_DEVICES']);
    expect(detectGpus(probe({PATH: nvidiaSmi(A100S), CUDA_VISIBLE_DEVICES: ' GPU-8f2e-11, MIG-aa/1/2 '}))).toEqual([
      'GPU-8f2e-11',
      'MIG-aa/1/2',
    ]);
    expect(ran()).toEqual([]);
  });

  it.each([
    ['', [], 'offering no GPUs: CUDA_VISIBLE_DEVICES is "" (give --gpus to name them)'],
    ['-1', [], 'offering no GPUs: CUDA_VISIBLE_DEVICES is "-1" (give --gpus to name them)'],
    ['NoDevFiles', [], 'offering no GPUs: CUDA_VISIBLE_DEVICES is "NoDevFiles" (give --gpus to name them)'],
    ['0,1,-1,2', ['0', '1'], 'CUDA_VISIBLE_DEVICES: "-1" is not a GPU; the GPUs before it are offered'],
    ['1,0,1', ['1', '0'], 'CUDA_VISIBLE_DEVICES names GPU 1 twice; offering it once'],
  ])('read CUDA_VISIBLE_DEVICES=%j as CUDA does: %j', (value, ids, said) => {
    expect(detectGpus(probe({PATH: nvidiaSmi(A100S), CUDA_VISIBLE_DEVICES: value}))).toEqual(ids);
    expect(lines[0]).toBe(said);
    expect(ran()).toEqual([]);
  });

  it('are none, silently, when nvidia-smi is not on PATH', () => {
    expect(detectGpus(probe({PATH: path.join(dir, 'empty')}))).toEqual([]);
    expect(lines).toEqual([]);
  });

  it('are none when nvidia-smi fails or lists none, and the log says why', () => {
    const driver = 'echo "NVIDIA-SMI has failed because it couldn\'t communicate with the NVIDIA driver." >&2; exit 9';
    expect(detectGpus(probe({PATH: nvidiaSmi(driver)}))).toEqual([]);
    expect(detectGpus(probe({PATH: nvidiaSmi('echo "No devices were found"; exit 6')}))).toEqual([]);
    expect(detectGpus(probe({PATH: nvidiaSmi('exit 0')}))).toEqual([]);
    expect(lines).toEqual([
      "offering no GPUs: nvidia-smi -L failed (exit status 9: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.) (give --gpus to name them)",
      'offering no GPUs: nvidia-smi -L failed (exit status 6: No devices were found) (give --gpus to name them)',
      'offering no GPUs: nvidia-smi -L lists none',
    ]);
  });

  it('are none when nvidia-smi does not answer in time; it is killed', () => {
    const started = performance.now();
    expect(detectGpus(probe({PATH: nvidiaSmi('exec sleep 30')}, {nvidiaSmiTimeoutMs: 300}))).toEqual([]);
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(lines).toEqual(['offering no GPUs: nvidia-smi -L did not answer within 300 ms (give --gpus to name them)']);
  });
});
