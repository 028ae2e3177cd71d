// The transitions of a job in the home (transitions.ts), driven directly: the home's layout and
// names, open → assigned → finished, failed or requeued without overwriting anything, a lost
// worker's jobs, and the reservations a dying dispatcher left. leave-pod.test.ts: the crashes.
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {moveNoClobber} from '../../src/home/atomic.js';
import {isIgnoredName, numberedName} from '../../src/home/names.js';
import {podDir, stagedRecordPath} from '../../src/home/paths.js';
import {assignJob, leavePod, PodClosedError} from '../../src/home/transitions.js';
import {readRecord} from '../../src/home/record.js';
import {recoverLostWorker} from '../../src/home/recover.js';
import {drop, paths, useTransitionsHome, W} from './transitions-helpers.js';

useTransitionsHome();

describe('the home', () => {
  it('is created on demand with mode 0700, with all its directories', () => {
    expect(fs.statSync(paths.root).mode & 0o777).toBe(0o700);
    for (const dir of ['jobqueue', 'workerqueue', 'done', 'failed', '.fjd/records', '.fjd/output', '.fjd/logs']) {
      expect(fs.statSync(path.join(paths.root, dir)).isDirectory()).toBe(true);
    }
  });

  it('ignores names being written: hidden, .tmp, ~ and #…#', () => {
    for (const name of ['.x', 'x.tmp', 'X.TMP', 'x~', '#x#']) expect(isIgnoredName(name)).toBe(true);
    for (const name of ['x', 'x.ini', 'x~y', '#x', 'tmp']) expect(isIgnoredName(name)).toBe(false);
  });

  it('numbers repeated names before their extension', () => {
    expect(numberedName('a.ini', 1)).toBe('a.ini');
    expect(numberedName('a.ini', 2)).toBe('a~2.ini');
    expect(numberedName('job0', 3)).toBe('job0~3');
    expect(numberedName('.rc', 2)).toBe('.rc~2');
  });
});

describe('state transitions', () => {
  it('open → assigned: moves the file into the pod and reserves its id with a record', () => {
    drop('a.ini');
    const assignment = assignJob(paths, 'a.ini', W, 'host');
    expect(assignment?.id).toBe('a.ini');
    expect(fs.existsSync(path.join(paths.jobqueue, 'a.ini'))).toBe(false);
    expect(fs.existsSync(path.join(podDir(paths, W), 'a.ini'))).toBe(true);
    expect(readRecord(paths, 'a.ini')).toMatchObject({state: 'assigned', name: 'a.ini', worker: W});
  });

  it('writes what the job asks for into its record as it is handed out, the first time and when it comes back', () => {
    drop('big');
    const request = {cpus: 4, memoryBytes: 8 * 1024 ** 3, gpus: 1};
    const first = assignJob(paths, 'big', W, 'host', 1, new Date().toISOString(), null, request);
    expect(readRecord(paths, 'big')).toMatchObject({state: 'assigned', request});
    drop('plain');
    assignJob(paths, 'plain', W, 'host');
    expect(readRecord(paths, 'plain')).toMatchObject({state: 'assigned', request: null});
    // Put back (its worker fired with --now), then handed out again: the request it has now.
    if (first === undefined) throw new Error('big was not assigned');
    leavePod(paths, podDir(paths, W), {...first.record, state: 'requeued', reason: 'fired'});
    const again = {cpus: 2, memoryBytes: 0, gpus: 0};
    assignJob(paths, 'big', W, 'host', 1, new Date().toISOString(), null, again);
    expect(readRecord(paths, 'big')).toMatchObject({state: 'assigned', request: again});
  });

  it('gives the next job of a used name the next free number', () => {
    drop('a.ini');
    assignJob(paths, 'a.ini', W, 'host');
    drop('a.ini', 'second');
    expect(assignJob(paths, 'a.ini', W, 'host')?.id).toBe('a~2.ini');
    expect(readRecord(paths, 'a~2.ini')?.name).toBe('a.ini');
  });

  it('leaves no record when the job was taken back before it could be assigned', () => {
    expect(assignJob(paths, 'gone', W, 'host')).toBeUndefined();
    expect(readRecord(paths, 'gone')).toBeUndefined();
  });

  it('refuses to assign into a closed pod, leaving the job in jobqueue/', () => {
    drop('b');
    fs.renameSync(podDir(paths, W), `${podDir(paths, W)}.closed`);
    expect(() => assignJob(paths, 'b', W, 'host')).toThrow(PodClosedError);
    expect(fs.existsSync(path.join(paths.jobqueue, 'b'))).toBe(true);
    expect(readRecord(paths, 'b')).toBeUndefined();
  });

  it('assigned → finished/failed never overwrites a file already there', () => {
    drop('c', 'new');
    assignJob(paths, 'c', W, 'host');
    fs.writeFileSync(path.join(paths.done, 'c'), 'someone else');
    const record = readRecord(paths, 'c');
    if (record === undefined) throw new Error('no record');
    expect(leavePod(paths, podDir(paths, W), {...record, state: 'finished'})).toBe('c~2');
    expect(readRecord(paths, 'c')).toMatchObject({state: 'finished', file: 'done/c~2'});
    expect(fs.readFileSync(path.join(paths.done, 'c'), 'utf8')).toBe('someone else');
    expect(fs.readFileSync(path.join(paths.done, 'c~2'), 'utf8')).toBe('new');
    expect(fs.readdirSync(podDir(paths, W))).toEqual([]);
  });

  it('finishing a move interrupted between link and unlink leaves the file in one place', () => {
    const source = path.join(podDir(paths, W), 'd');
    fs.writeFileSync(source, 'x');
    fs.linkSync(source, path.join(paths.failed, 'd'));
    expect(moveNoClobber(source, paths.failed, 'd')).toBe('d');
    expect(fs.existsSync(source)).toBe(false);
    expect(fs.readdirSync(paths.failed)).toEqual(['d']);
  });

  it('assigned → requeued → assigned again keeps the id and its attempts', () => {
    drop('e');
    const first = assignJob(paths, 'e', W, 'host');
    if (first === undefined) throw new Error('not assigned');
    first.record.attempts.push({
      attempt: 1,
      worker: W,
      host: 'host',
      pid: 1,
      startedAt: '',
      endedAt: '',
      durationMs: 1,
      exitCode: null,
      signal: 'SIGTERM',
      reason: 'fired',
      outcome: 'requeued',
      stdout: null,
      stderr: null,
    });
    expect(leavePod(paths, podDir(paths, W), {...first.record, state: 'requeued', reason: 'fired'})).toBe('e');
    expect(readRecord(paths, 'e')).toMatchObject({state: 'requeued', requeuedAs: 'e'});
    const again = assignJob(paths, 'e', W, 'host');
    expect(again?.id).toBe('e');
    expect(again?.record.attempts).toHaveLength(1);
  });

  it('a lost worker: its waiting job goes back to jobqueue/, its recorded one on to done/', () => {
    drop('waiting');
    assignJob(paths, 'waiting', W, 'host');
    drop('ended');
    const ended = assignJob(paths, 'ended', W, 'host');
    if (ended === undefined) throw new Error('not assigned');
    // Its worker staged the final record and died before moving the file.
    fs.writeFileSync(
      stagedRecordPath(podDir(paths, W), 'ended'),
      JSON.stringify({...ended.record, state: 'finished', file: 'done/ended'}),
    );
    const recovery = recoverLostWorker(paths, W, {reason: 'worker lost', maxAttempts: 3});
    expect(recovery).toEqual({requeued: ['waiting'], failed: [], completed: ['ended']});
    expect(fs.readdirSync(paths.jobqueue)).toEqual(['waiting']);
    expect(fs.readdirSync(paths.done)).toEqual(['ended']);
    expect(fs.existsSync(path.join(paths.workers, W))).toBe(false);
    expect(readRecord(paths, 'waiting')).toMatchObject({state: 'requeued', reason: 'worker lost'});
  });
});

describe('reservations left by a dispatcher that died', () => {
  it('an empty record (killed between creating and writing it) is taken over, keeping the name', () => {
    drop('m');
    fs.writeFileSync(path.join(paths.records, 'm.json'), '');
    expect(assignJob(paths, 'm', W, 'host')?.id).toBe('m');
    expect(readRecord(paths, 'm')).toMatchObject({state: 'assigned', name: 'm'});
  });

  it('a reservation whose file never reached the pod is taken over, with its history', () => {
    drop('n');
    const first = assignJob(paths, 'n', W, 'host');
    if (first === undefined) throw new Error('not assigned');
    // As if the dispatcher had died between the reservation and the move: the file is back.
    fs.renameSync(path.join(podDir(paths, W), 'n'), path.join(paths.jobqueue, 'n'));
    expect(assignJob(paths, 'n', W, 'host')?.id).toBe('n');
  });
});
