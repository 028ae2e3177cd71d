import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {ensureHome} from '../../src/home/layout.js';
import {Halting} from '../../src/dispatcher/halting.js';
import {parseHalt, type HaltRule} from '../../src/dispatcher/halt.js';
import type {DispatcherEvent} from '../../src/dispatcher/events.js';
import type {WorkerPool} from '../../src/dispatcher/pool.js';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) fs.rmSync(root, {recursive: true, force: true});
});

function rule(text: string): HaltRule {
  const parsed = parseHalt(text);
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed;
}

// A Halting over a pool whose worker w1 holds `handedOut`, with `open` jobs in the queue.
function setUp(text: string, handedOut: string[], open: number) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fjd-halting-'));
  roots.push(root);
  const paths = ensureHome(path.join(root, 'home'));
  fs.mkdirSync(path.join(paths.workers, 'w1'), {recursive: true});
  const inflight = new Map(handedOut.map((id) => [id, id]));
  const pool = {all: () => [{id: 'w1', inflight}], handedOut: () => inflight.size} as unknown as WorkerPool;
  const events: DispatcherEvent[] = [];
  const halting = new Halting(rule(text), {paths, pool, open: () => open, emit: (event) => events.push(event)});
  return {paths, halting, events};
}

describe('Halting', () => {
  it('soon: halts at the rule, says why once, and asks no worker for anything', () => {
    const {paths, halting, events} = setUp('soon,fail=2', ['j3'], 5);
    halting.counted('finished', null);
    halting.counted('failed', 'exit code 1');
    expect(halting.halted).toBe(false);
    halting.counted('failed', 'exit code 1');
    expect(halting.cause).toEqual({rule: 'soon,fail=2', when: 'soon', failed: 2, jobs: 9});
    halting.counted('failed', 'exit code 1');
    expect(events).toEqual([{type: 'halting', cause: halting.cause, handedOut: 1, open: 5}]);
    expect(fs.readdirSync(path.join(paths.workers, 'w1'))).toEqual([]);
  });

  it('now: asks the worker to cancel each job handed to it, as fjd cancel does', () => {
    const {paths, halting} = setUp('now,fail=1', ['j2', 'j3'], 0);
    halting.counted('failed', 'exit code 1');
    expect(halting.halted).toBe(true);
    expect(fs.readdirSync(path.join(paths.workers, 'w1')).sort()).toEqual(['cancel.j2', 'cancel.j3']);
  });

  it('a job cancelled (fjd cancel) does not count as a failure', () => {
    const {halting} = setUp('now,fail=1', [], 3);
    halting.counted('failed', 'cancelled');
    expect(halting.halted).toBe(false);
    halting.counted('failed', 'timed out after 1s');
    expect(halting.halted).toBe(true);
  });
});
