import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {homePaths, type HomePaths} from '../../src/home/layout.js';
import {announcementPath, currentJobPath, heartbeatPath, infoPath} from '../../src/home/paths.js';
import {runningElsewhere} from '../../src/status/remote-clock.js';
import type {WorkerInfo} from '../../src/home/registry.js';
import type {CurrentJob} from '../../src/home/current-job.js';

// The worker's clock runs an hour behind the file server's, which stamps the files.
const BEHIND = 3600_000;
const server = (workerIso: string): number => Date.parse(workerIso) + BEHIND;

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, {recursive: true, force: true});
});

// Writes `file`, stamped by the server as at `workerIso` by the worker's clock.
function stamp(file: string, text: string, workerIso: string): void {
  fs.mkdirSync(path.dirname(file), {recursive: true});
  fs.writeFileSync(file, text);
  fs.utimesSync(file, server(workerIso) / 1000, server(workerIso) / 1000);
}

// A worker on another host that started at 09:00 and last beat at 10:01 (by its clock).
function worker(polling = false): {paths: HomePaths; info: WorkerInfo} {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'remote-clock-'));
  dirs.push(root);
  const paths = homePaths(root);
  const info: WorkerInfo = {
    fjd: 1,
    id: 'n1-7',
    host: 'n1',
    pid: 7,
    procStart: null,
    startedAt: '2026-12-01T09:00:00.000Z',
    cwd: '/',
    log: null,
    heartbeatMs: 5000,
    polling: polling ? 'EMFILE' : null,
  };
  stamp(heartbeatPath(paths, info.id), '1 ok\n', '2026-12-01T10:01:00.000Z');
  stamp(infoPath(paths, info.id), JSON.stringify(info), '2026-12-01T09:00:00.000Z');
  return {paths, info};
}

const notes: CurrentJob[] = [
  {id: 'a', attempt: 1, startedAt: '2026-12-01T10:00:00.000Z'},
  {id: 'b', attempt: 1, startedAt: '2026-12-01T10:00:40.000Z'},
];

describe('how long the jobs of a worker on another host have run', () => {
  it("takes the clocks' offset from its announcement, which says when it was written", () => {
    const {paths, info} = worker();
    stamp(
      announcementPath(paths, info.id),
      JSON.stringify({at: '2026-12-01T09:30:00.000Z'}),
      '2026-12-01T09:30:00.000Z',
    );
    // Its info.json was stamped 10 minutes late: the announcement wins.
    stamp(infoPath(paths, info.id), JSON.stringify(info), '2026-12-01T09:10:00.000Z');
    expect(notes.map(runningElsewhere(paths, info, notes))).toEqual([60_000, 20_000]);
  });

  it('takes it from its info.json without an announcement, unless a note that it polls rewrote that', () => {
    const plain = worker();
    expect(notes.map(runningElsewhere(plain.paths, plain.info, notes))).toEqual([60_000, 20_000]);
    // Then the note of its jobs, written 5 s after its latest job started: 5 s short.
    const polling = worker(true);
    stamp(infoPath(polling.paths, 'n1-7'), JSON.stringify(polling.info), '2026-12-01T09:10:00.000Z');
    stamp(currentJobPath(polling.paths, 'n1-7'), '{}', '2026-12-01T10:00:45.000Z');
    expect(notes.map(runningElsewhere(polling.paths, polling.info, notes))).toEqual([55_000, 15_000]);
  });

  it('cannot tell without a heartbeat', () => {
    const {paths, info} = worker();
    fs.rmSync(heartbeatPath(paths, info.id));
    expect(notes.map(runningElsewhere(paths, info, notes))).toEqual([null, null]);
  });
});
