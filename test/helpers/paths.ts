// Where the tests find the built commands and keep their temporary homes.
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = path.join(REPO, 'bin');
// Set by global-setup.ts for the whole run; a test file run on its own uses a fresh one.
export const TEST_ROOT = process.env.FJD_TEST_ROOT ?? path.join(os.tmpdir(), `fjd-tests-${process.pid}`);
