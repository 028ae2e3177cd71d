// Creates the example's ten jobs, job0 … job9, in jobqueue/. Each is written under a hidden
// name first and then renamed, so the dispatcher never sees a half-written job.
import fs from 'node:fs';
import path from 'node:path';

const queue = 'jobqueue';
fs.mkdirSync(queue, {recursive: true});
for (let i = 0; i < 10; i++) {
  const text = [
    '[control]',
    'executable: node ajob.mjs',
    `logfile: data/job${i}.dat`,
    '',
    '[params]',
    `param1: value${i}`,
    '',
  ].join('\n');
  const hidden = path.join(queue, `.job${i}.tmp`);
  fs.writeFileSync(hidden, text);
  fs.renameSync(hidden, path.join(queue, `job${i}`));
}
console.log('Created 10 jobs in jobqueue/.');
