import {describe, expect, it} from 'vitest';
import {MAX_SLOT_LINES, workerLines, workersLine} from '../../src/status/format-workers.js';
import type {WorkerStatus} from '../../src/status/workers.js';

const at = '2026-12-01T10:00:00.000Z';

function worker(partial: Partial<WorkerStatus>): WorkerStatus {
  return {
    id: 'n1-4242',
    host: 'n1',
    pid: 4242,
    state: 'busy',
    job: null,
    jobStartedAt: null,
    jobRunningForMs: null,
    log: null,
    problem: null,
    capacity: {slots: 64, cpus: 64, memoryBytes: null, gpus: []},
    earlierFjd: false,
    free: {slots: 64, cpus: 64, memoryBytes: null, gpus: 0},
    running: [],
    assigned: [],
    ...partial,
  };
}

function running(count: number): WorkerStatus['running'] {
  return Array.from({length: count}, (_, i) => ({
    slot: i + 1,
    job: `sim${i + 1}`,
    attempt: 1,
    startedAt: at,
    runningForMs: (i + 1) * 2000,
    request: {cpus: 1, memoryBytes: 0, gpus: 0},
    gpuIds: [],
  }));
}

describe('worker processes in fjd status', () => {
  it(`lists the jobs of a process one per slot up to ${MAX_SLOT_LINES}, and sums up more on one line`, () => {
    expect(
      workerLines(worker({running: running(MAX_SLOT_LINES), free: {slots: 56, cpus: 56, memoryBytes: null, gpus: 0}})),
    ).toHaveLength(1 + MAX_SLOT_LINES);
    const many = worker({
      running: running(60),
      assigned: ['sim61', 'sim62'],
      free: {slots: 4, cpus: 4, memoryBytes: null, gpus: 0},
    });
    expect(workerLines(many)).toEqual([
      '  n1-4242  n1  pid 4242  busy  60 of 64 slots busy; free: 4 cpus',
      '    60 jobs running for 2 s to 2 min: sim1, sim2, sim3, sim4, sim5 and 55 more',
      '    assigned, not started: sim61, sim62',
    ]);
  });

  it('says nothing free of a full or lost process, and what keeps one from recording', () => {
    const full = worker({capacity: {slots: 2, cpus: 2, memoryBytes: null, gpus: []}, running: running(2)});
    expect(workerLines({...full, free: {slots: 0, cpus: 0, memoryBytes: null, gpus: 0}})[0]).toBe(
      '  n1-4242  n1  pid 4242  busy  2 of 2 slots busy',
    );
    const lost = worker({state: 'lost', capacity: {slots: 2, cpus: 2, memoryBytes: null, gpus: []}, problem: 'ENOSPC'});
    expect(workerLines(lost)).toEqual(['  n1-4242  n1  pid 4242  lost  0 of 2 slots busy  (cannot record: ENOSPC)']);
  });

  it('counts the processes, their hosts and their slots', () => {
    expect(workersLine([], {total: 0, busy: 0})).toBe('Workers: none (hire some with: recruiter hire)');
    const hundred = Array.from({length: 100}, (_, i) => worker({id: `n${i}-1`, host: `n${i}`}));
    expect(workersLine(hundred, {total: 6400, busy: 5120})).toBe(
      'Workers: 100 on 100 hosts; slots: 5,120 of 6,400 busy',
    );
    expect(workersLine([worker({})], {total: 4, busy: 0})).toBe('Workers: 1; slots: 0 of 4 busy');
  });
});
