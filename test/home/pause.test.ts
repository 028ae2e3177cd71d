import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {ensureHome, type HomePaths} from '../../src/home/layout.js';
import {pausePath} from '../../src/home/paths.js';
import {pauseQueue, pauseStamp, readPause, resumeQueue} from '../../src/home/pause.js';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) fs.rmSync(root, {recursive: true, force: true});
});

function home(): HomePaths {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fjd-pause-'));
  roots.push(root);
  return ensureHome(path.join(root, 'home'));
}

describe('the pause file', () => {
  it('is .fjd/paused, written once with when and by whom, and removed by resume', () => {
    const paths = home();
    expect(pausePath(paths)).toBe(path.join(paths.root, '.fjd', 'paused'));
    expect(readPause(paths)).toBeUndefined();
    expect(pauseStamp(paths)).toBeUndefined();
    const first = pauseQueue(paths, new Date('2026-12-01T10:00:00Z'));
    expect(first).toEqual({
      note: {pausedAt: '2026-12-01T10:00:00.000Z', by: expect.stringMatching(/:\d+$/)},
      already: false,
    });
    const stamp = pauseStamp(paths);
    expect(stamp).toBeDefined();
    const again = pauseQueue(paths, new Date('2026-12-01T11:00:00Z'));
    expect(again).toEqual({note: first.note, already: true});
    expect(pauseStamp(paths)).toBe(stamp);
    expect(readPause(paths)).toEqual(first.note);
    expect(resumeQueue(paths)).toEqual(first.note);
    expect(fs.existsSync(pausePath(paths))).toBe(false);
    expect(resumeQueue(paths)).toBeUndefined();
  });

  it('made by hand (touch .fjd/paused) it pauses too, with an empty note', () => {
    const paths = home();
    fs.writeFileSync(pausePath(paths), '');
    expect(readPause(paths)).toEqual({pausedAt: '', by: ''});
    expect(pauseQueue(paths).already).toBe(true);
    expect(resumeQueue(paths)).toEqual({pausedAt: '', by: ''});
  });
});
