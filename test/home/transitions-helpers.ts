// A temporary home for the unit tests of the transitions (transitions.test.ts, leave-pod.test.ts):
// made before each test with the pod of worker W, removed after it. `paths` is a live binding,
// the home of the test running now. `drop` puts a job file in its jobqueue/.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach} from 'vitest';
import {ensureHome, type HomePaths} from '../../src/home/layout.js';
import {podDir} from '../../src/home/paths.js';

export let paths: HomePaths;
export const W = 'host-1';

// Registers the hooks that make and remove the home; call it once at the top of a test file.
export function useTransitionsHome(): void {
  beforeEach(() => {
    paths = ensureHome(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fjd-unit-')), 'home'));
    fs.mkdirSync(podDir(paths, W), {recursive: true});
  });

  afterEach(() => {
    fs.rmSync(path.dirname(paths.root), {recursive: true, force: true});
  });
}

export const drop = (name: string, text = '[control]\nexecutable = true\n'): void =>
  fs.writeFileSync(path.join(paths.jobqueue, name), text);
