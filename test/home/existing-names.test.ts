// The names a home holds in any state (src/home/existing-names.ts), what `fjd submit
// --skip-existing` skips: from one listing of each directory, never a stat or a read per job.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, expect, it, vi} from 'vitest';
import {existingJobNames} from '../../src/home/existing-names.js';
import {ensureHome, type HomePaths} from '../../src/home/layout.js';
import {podDir} from '../../src/home/paths.js';

let paths: HomePaths;

beforeEach(() => {
  paths = ensureHome(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fjd-unit-')), 'home'));
});

afterEach(() => {
  vi.restoreAllMocks();
  fs.rmSync(path.dirname(paths.root), {recursive: true, force: true});
});

function put(dir: string, ...names: string[]): void {
  fs.mkdirSync(dir, {recursive: true});
  for (const name of names) fs.writeFileSync(path.join(dir, name), '[control]\nexecutable = true\n');
}

it('names every job queued, in a pod (running or waiting there), finished or failed, by its name and its id', () => {
  put(paths.jobqueue, 'queued', 'twice~2', '.being-written', 'draft.tmp');
  put(podDir(paths, 'w1'), 'running');
  // A pod left by a worker that was closing.
  put(path.join(paths.workers, 'w2', 'pod.closed'), 'left-in-a-closed-pod');
  put(paths.done, 'done', 'again~3', 'job~2.ini');
  put(paths.failed, 'failed');
  const names = existingJobNames(paths);
  for (const name of ['queued', 'twice', 'running', 'left-in-a-closed-pod', 'done', 'again', 'job.ini', 'failed']) {
    expect(names.has(name), name).toBe(true);
  }
  for (const name of ['.being-written', 'draft.tmp', 'draft', 'never']) expect(names.has(name), name).toBe(false);
});

it('lists each directory once and looks at no job file on its own', () => {
  put(paths.jobqueue, ...Array.from({length: 50}, (_, i) => `q-${i}`));
  put(paths.done, ...Array.from({length: 200}, (_, i) => `d-${i}`));
  put(podDir(paths, 'w1'), 'r-1', 'r-2');
  const listed = vi.spyOn(fs, 'readdirSync');
  const looked = [vi.spyOn(fs, 'statSync'), vi.spyOn(fs, 'lstatSync'), vi.spyOn(fs, 'openSync')];
  expect(existingJobNames(paths).size).toBe(252);
  // jobqueue/, .fjd/workers/, w1's directory, its pod, done/, failed/.
  expect(listed).toHaveBeenCalledTimes(6);
  for (const spy of looked) expect(spy).not.toHaveBeenCalled();
});
