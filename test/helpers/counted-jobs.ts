// Jobs that count their executions outside the home, for tests that disturb the home while they
// run (a directory locked, the home moved away): each run appends the job's id to runs.txt in
// a directory of its own, which nothing done to the home can touch.
import fs from 'node:fs';
import path from 'node:path';
import {fixture} from './fixtures.js';
import {makeHome, type TestHome} from './home.js';

export interface CountedJobs {
  // Where the executions are counted (the first argument of count-run.sh).
  marks: string;
  // The job ids in the order they ran, once per execution.
  runs(): string[];
}

// Queues `count` jobs named j001, j002 …
export function queueCountedJobs(home: TestHome, count: number): CountedJobs {
  const marks = makeHome('marks').dir;
  const text = `[control]\nexecutable = ${fixture('count-run.sh')} ${marks}\n`;
  for (let i = 1; i <= count; i++) home.job(`j${String(i).padStart(3, '0')}`, text);
  return {
    marks,
    runs() {
      try {
        return fs
          .readFileSync(path.join(marks, 'runs.txt'), 'utf8')
          .split('\n')
          .filter((line) => line !== '');
      } catch {
        return [];
      }
    },
  };
}

// The ids that appear more than once.
export function repeated(ids: string[]): string[] {
  const seen = new Set<string>();
  return ids.filter((id) => seen.has(id) || (seen.add(id), false));
}
