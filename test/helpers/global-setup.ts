// Runs around the whole suite: builds nothing (npm test builds first), and at the end makes
// sure that no worker or dispatcher started by a test is still running.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {killMentioning} from './processes.js';

// One root per test run, passed to the test processes through the environment, so that two
// runs on one machine never touch each other's processes.
const TEST_ROOT = fs.mkdtempSync(path.join(os.tmpdir(), 'fjd-tests-'));
process.env.FJD_TEST_ROOT = TEST_ROOT;

export function setup(): void {
  fs.mkdirSync(TEST_ROOT, {recursive: true});
}

export function teardown(): void {
  const left = killMentioning(TEST_ROOT);
  fs.rmSync(TEST_ROOT, {recursive: true, force: true});
  if (left.length > 0) {
    const list = left.map((p) => `  ${p.pid} ${p.command}`).join('\n');
    throw new Error(`tests left ${left.length} processes running (now killed):\n${list}`);
  }
}
