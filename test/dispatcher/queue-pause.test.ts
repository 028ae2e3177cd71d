import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {ensureHome} from '../../src/home/layout.js';
import {pauseQueue, resumeQueue} from '../../src/home/pause.js';
import {QueuePause} from '../../src/dispatcher/queue-pause.js';
import type {DispatcherEvent} from '../../src/dispatcher/events.js';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) fs.rmSync(root, {recursive: true, force: true});
});

describe('QueuePause', () => {
  it('says a pause once and a resume once, however often it looks, and lets the jobs go on resume', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fjd-queue-pause-'));
    roots.push(root);
    const paths = ensureHome(path.join(root, 'home'));
    const events: DispatcherEvent[] = [];
    let resumed = 0;
    const pause = new QueuePause(
      paths,
      (event) => events.push(event),
      () => 4,
      () => resumed++,
    );
    pause.look();
    expect(pause.paused).toBe(false);
    expect(events).toEqual([]);
    const {note} = pauseQueue(paths);
    pause.onEvent('dispatcher.lock');
    expect(pause.paused).toBe(false);
    pause.onEvent('paused');
    pause.look();
    pause.look();
    expect(pause.paused).toBe(true);
    expect(events).toEqual([{type: 'paused', pausedAt: note.pausedAt, by: note.by, open: 4}]);
    resumeQueue(paths);
    pause.look();
    pause.look();
    expect(pause.paused).toBe(false);
    expect(events.slice(1)).toEqual([{type: 'resumed', open: 4}]);
    expect(resumed).toBe(1);
  });
});
