// Paths of the tiny programs that tests use as jobs.
import path from 'node:path';
import {REPO} from './paths.js';

export const FIXTURES = path.join(REPO, 'test', 'fixtures');
export const fixture = (name: string): string => path.join(FIXTURES, name);
