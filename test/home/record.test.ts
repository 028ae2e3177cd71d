import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {ensureHome, type HomePaths} from '../../src/home/layout.js';
import {recordPath} from '../../src/home/paths.js';
import {
  attemptRecord,
  newRecord,
  readRecord,
  reserveRecord,
  writeRecord,
  type JobRecord,
} from '../../src/home/record.js';

let paths: HomePaths;

beforeEach(() => {
  paths = ensureHome(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fjd-unit-')), 'home'));
});

afterEach(() => {
  fs.rmSync(path.dirname(paths.root), {recursive: true, force: true});
});

// As a dispatcher reserves an id to assign a job: a fresh record, or a requeued job's own.
const reserve = (name: string, first = 1): JobRecord =>
  reserveRecord(
    paths,
    name,
    first,
    (id) => ({...newRecord(id, name), state: 'assigned', worker: 'w'}),
    (existing) =>
      existing.state === 'requeued' && existing.requeuedAs === name
        ? {...existing, state: 'assigned', requeuedAs: null}
        : undefined,
  );

describe('records', () => {
  it('an attempt starts running with nothing known of its end; a recovered one says how it ended', () => {
    const started = {attempt: 2, worker: 'h-1', host: 'h', startedAt: '2026-01-01T00:00:00.000Z'};
    const running = attemptRecord(started);
    expect(running).toEqual({
      ...started,
      pid: null,
      endedAt: null,
      durationMs: null,
      exitCode: null,
      signal: null,
      reason: null,
      outcome: 'running',
      stdout: null,
      stderr: null,
    });
    // The fields keep the record's order, whatever is set.
    const lost = attemptRecord(started, {
      endedAt: '2026-01-01T00:01:00.000Z',
      signal: 'SIGKILL',
      reason: 'worker lost',
      outcome: 'lost',
    });
    expect(Object.keys(lost)).toEqual(Object.keys(running));
    expect(lost).toMatchObject({attempt: 2, signal: 'SIGKILL', reason: 'worker lost', outcome: 'lost', exitCode: null});
  });

  it('reserving an id takes the name, then stem~2.ext, stem~3.ext … for the same name', () => {
    expect(reserve('a.ini').id).toBe('a.ini');
    expect(reserve('a.ini').id).toBe('a~2.ini');
    expect(reserve('a.ini', 5).id).toBe('a~5.ini');
    expect(readRecord(paths, 'a~2.ini')).toMatchObject({id: 'a~2.ini', name: 'a.ini', state: 'assigned'});
  });

  it('a requeued job gets its own id back, with its history; a record cut short is void', () => {
    const first = reserve('b.ini');
    writeRecord(paths, {
      ...first,
      state: 'requeued',
      requeuedAs: 'b.ini',
      attempts: [attemptRecord({attempt: 1, worker: 'w', host: null, startedAt: 'x'})],
    });
    const again = reserve('b.ini');
    expect(again).toMatchObject({id: 'b.ini', state: 'assigned', requeuedAs: null});
    expect(again.attempts).toHaveLength(1);
    fs.writeFileSync(recordPath(paths, 'c.ini'), '{"fjd": 1, "id": "c.i');
    expect(reserve('c.ini').id).toBe('c.ini');
    expect(readRecord(paths, 'c.ini')).toMatchObject({id: 'c.ini', state: 'assigned'});
  });
});
