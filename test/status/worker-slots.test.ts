import {describe, expect, it} from 'vitest';
import {workerSlots, type SlotsInput} from '../../src/status/worker-slots.js';
import type {WorkerInfo} from '../../src/home/registry.js';
import type {Capacity} from '../../src/job/resources.js';

const G = 1024 ** 3;

function info(capacity?: Capacity): WorkerInfo {
  return {
    fjd: 1,
    id: 'w',
    host: 'h',
    pid: 1,
    procStart: null,
    startedAt: '2026-12-01T09:00:00.000Z',
    cwd: '/',
    log: null,
    heartbeatMs: 5000,
    ...(capacity === undefined ? {} : {capacity}),
  };
}

function input(partial: Partial<SlotsInput>): SlotsInput {
  return {info: info(), held: [], notes: [], recorded: () => undefined, runningFor: () => 1000, ...partial};
}

const at = '2026-12-01T10:00:00.000Z';

describe("a worker process's slots", () => {
  it('puts a job noted without a slot in the lowest slot no note names, and frees what each job holds', () => {
    const slots = workerSlots(
      input({
        info: info({slots: 4, cpus: 4, memoryBytes: 8 * G, gpus: ['0', '1']}),
        held: ['a', 'b', 'c', 'd'],
        notes: [
          {id: 'a', attempt: 1, startedAt: at},
          {id: 'b', attempt: 1, startedAt: at, slot: 1, cpus: 1, memoryBytes: 0, gpus: ['1']},
          {id: 'c', attempt: 3, startedAt: at},
        ],
        recorded: (id) => (id === 'c' ? {cpus: 2, memoryBytes: G, gpus: 0} : null),
      }),
    );
    expect(slots.running.map((job) => [job.slot, job.job])).toEqual([
      [1, 'b'],
      [2, 'a'],
      [3, 'c'],
    ]);
    expect(slots.running.map((job) => job.request)).toEqual([
      {cpus: 1, memoryBytes: 0, gpus: 1},
      {cpus: 1, memoryBytes: 0, gpus: 0},
      {cpus: 2, memoryBytes: G, gpus: 0},
    ]);
    expect(slots.assigned).toEqual(['d']);
    expect(slots.free).toEqual({slots: 1, cpus: 0, memoryBytes: 7 * G, gpus: 1});
  });

  it('reads a record only for a running job whose note lacks what it holds', () => {
    const asked: string[] = [];
    workerSlots(
      input({
        held: ['full', 'bare', 'waiting'],
        notes: [
          {id: 'full', attempt: 1, startedAt: at, slot: 1, cpus: 1, memoryBytes: 0, gpus: []},
          {id: 'bare', attempt: 1, startedAt: at},
        ],
        recorded: (id) => {
          asked.push(id);
          return undefined;
        },
      }),
    );
    expect(asked).toEqual(['bare']);
  });

  it('takes a worker of an earlier fjd for one slot and one cpu, and ignores a note of a job no longer in the pod', () => {
    const slots = workerSlots(input({held: [], notes: [{id: 'gone', attempt: 1, startedAt: at}]}));
    expect(slots).toEqual({
      capacity: {slots: 1, cpus: 1, memoryBytes: null, gpus: []},
      earlierFjd: true,
      free: {slots: 1, cpus: 1, memoryBytes: null, gpus: 0},
      running: [],
      assigned: [],
    });
  });

  it('knows no capacity of a worker still starting', () => {
    expect(workerSlots(input({info: undefined, held: ['x']}))).toEqual({
      capacity: null,
      earlierFjd: false,
      free: null,
      running: [],
      assigned: ['x'],
    });
  });
});
