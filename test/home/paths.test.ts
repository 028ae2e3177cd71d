import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {ensureHome, type HomePaths} from '../../src/home/layout.js';
import * as at from '../../src/home/paths.js';

let paths: HomePaths;

beforeEach(() => {
  paths = ensureHome(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fjd-unit-')), 'home'));
});

afterEach(() => {
  fs.rmSync(path.dirname(paths.root), {recursive: true, force: true});
});

// A path relative to the home, as the README's table of the home writes it.
const rel = (file: string): string => path.relative(paths.root, file);

describe('the paths of the home', () => {
  it('are where the README says', () => {
    expect(rel(paths.limits)).toBe('limits');
    expect(rel(at.lockPath(paths))).toBe('.fjd/dispatcher.lock');
    expect(rel(at.recordPath(paths, 'a~2.ini'))).toBe('.fjd/records/a~2.ini.json');
    expect(rel(at.stdoutPath(paths, 'a.ini'))).toBe('.fjd/output/a.ini.out');
    expect(rel(at.stderrPath(paths, 'a.ini', 1))).toBe('.fjd/output/a.ini.err');
    expect(rel(at.stdoutPath(paths, 'a.ini', 3))).toBe('.fjd/output/a.ini.3.out');
    expect(rel(at.stderrPath(paths, 'a.ini', 2))).toBe('.fjd/output/a.ini.2.err');
    expect(at.endedFile('finished', 'a.ini')).toBe('done/a.ini');
    expect(at.endedFile('failed', 'a~2.ini')).toBe('failed/a~2.ini');
    expect(rel(at.slurmRecordPath(paths, '4242'))).toBe('.fjd/slurm/4242.json');
    expect(rel(at.openCancelPath(paths, 'a.ini'))).toBe('.fjd/cancel/a.ini');
    expect(rel(at.priorityPath(paths, 'a.ini'))).toBe('.fjd/priority/a.ini');
    expect(rel(at.announcementPath(paths, 'h-1'))).toBe('workerqueue/h-1');
    expect(rel(at.workerDir(paths, 'h-1'))).toBe('.fjd/workers/h-1');
    expect(rel(at.podDir(paths, 'h-1'))).toBe('.fjd/workers/h-1/pod');
    expect(rel(at.closedPodDir(paths, 'h-1'))).toBe('.fjd/workers/h-1/pod.closed');
    expect(rel(at.lostPodDir(paths, 'h-1', '7-8'))).toBe('.fjd/workers/h-1/pod.lost-7-8');
    expect(rel(at.infoPath(paths, 'h-1'))).toBe('.fjd/workers/h-1/info.json');
    expect(rel(at.heartbeatPath(paths, 'h-1'))).toBe('.fjd/workers/h-1/heartbeat');
    expect(rel(at.firePath(paths, 'h-1'))).toBe(`.fjd/workers/h-1/${at.FIRE_REQUEST}`);
    expect(rel(at.currentJobPath(paths, 'h-1'))).toBe('.fjd/workers/h-1/current');
    expect(rel(at.workerCancelPath(paths, 'h-1', 'a.ini'))).toBe('.fjd/workers/h-1/cancel.a.ini');
    expect(rel(at.stagedRecordPath(at.podDir(paths, 'h-1'), 'a.ini'))).toBe('.fjd/workers/h-1/pod/.a.ini.record');
  });

  it('a name found by listing parses back to the id it was made for, and no other name does', () => {
    for (const id of ['a.ini', 'a~2.ini', '.x', 'x.json', 'x.record']) {
      expect(at.recordIdOf(path.basename(at.recordPath(paths, id)))).toBe(id);
      expect(at.stagedRecordIdOf(path.basename(at.stagedRecordPath('/pod', id)))).toBe(id);
      expect(at.workerCancelIdOf(path.basename(at.workerCancelPath(paths, 'w', id)))).toBe(id);
    }
    for (const other of ['a.ini', '.json', 'a.json.tmp', 'heartbeat'])
      expect(at.recordIdOf(other), other).toBeUndefined();
    for (const other of ['a.ini', '.a.ini', 'a.record', '.record'])
      expect(at.stagedRecordIdOf(other), other).toBeUndefined();
    for (const other of ['fire', 'current', 'pod', 'cancelled'])
      expect(at.workerCancelIdOf(other), other).toBeUndefined();
  });

  it("a worker's pods: its own and those left by an exit or a recovery, nothing else", () => {
    expect(at.podDirsOf(paths, 'h-1')).toEqual([]);
    for (const dir of [at.podDir(paths, 'h-1'), at.closedPodDir(paths, 'h-1'), at.lostPodDir(paths, 'h-1', '1-2')])
      fs.mkdirSync(dir, {recursive: true});
    fs.writeFileSync(at.currentJobPath(paths, 'h-1'), '{}\n');
    fs.writeFileSync(at.workerCancelPath(paths, 'h-1', 'pod'), '{}\n');
    const pods = at
      .podDirsOf(paths, 'h-1')
      .map((pod) => path.basename(pod))
      .sort();
    expect(pods).toEqual(['pod', 'pod.closed', 'pod.lost-1-2']);
    expect(
      at
        .podDirsOf(paths, 'h-1')
        .filter(at.isLeftPod)
        .map((pod) => path.basename(pod))
        .sort(),
    ).toEqual(['pod.closed', 'pod.lost-1-2']);
    expect(at.isPodDir(paths, at.podDir(paths, 'h-1'))).toBe(true);
    expect(at.isPodDir(paths, at.closedPodDir(paths, 'h-1'))).toBe(false);
    expect(at.isPodDir(paths, path.join(paths.done, 'pod'))).toBe(false);
    expect(at.isPodDir(paths, path.join(paths.workers, 'pod'))).toBe(false);
  });
});
