// The bulk submission scenario: `fjd submit` making `jobs` jobs from standard input in one
// process, timed from the command's start to its exit (Node's own start included).
import fs from 'node:fs';
import path from 'node:path';
import {fjd, freshHome} from './harness.mjs';

export function submitScenario({jobs}) {
  const home = freshHome('submit');
  const input = Array.from({length: jobs}, (_, i) => String(i)).join('\n');
  const started = performance.now();
  fjd('fjd', ['submit', '--exe', 'true', '--parameters', '-', '--name', 'bulk'], home, {input});
  const seconds = (performance.now() - started) / 1000;
  const made = fs.readdirSync(path.join(home, 'jobqueue')).length;
  if (made !== jobs) throw new Error(`fjd submit made ${made} jobs, not ${jobs}`);
  return {submitSeconds: seconds};
}
