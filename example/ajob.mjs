// The example's job: reads its own job file (the last argument), and writes its parameter
// into the logfile the job file names. It needs nothing but Node.
import fs from 'node:fs';

const jobFile = process.argv.at(-1);
const values = {};
let section = '';
for (const raw of fs.readFileSync(jobFile, 'utf8').split(/\r?\n/)) {
  const line = raw.trim();
  if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
  if (line.startsWith('[') && line.endsWith(']')) {
    section = line.slice(1, -1);
    continue;
  }
  const at = line.search(/[=:]/);
  values[`${section}.${line.slice(0, at).trim()}`] = line.slice(at + 1).trim();
}
fs.writeFileSync(values['control.logfile'], `param1: ${values['params.param1']}\n`);
