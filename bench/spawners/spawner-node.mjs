// A long-lived spawner for the spawn benchmark (bench/spawn.mjs), in a second, lean Node
// process: the same child_process.spawn as runJob, from a process that holds nothing else.
// Requests and replies as spawner.pl's.
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';

let buf = Buffer.alloc(0);
const say = (line) => process.stdout.write(`${line}\n`);
function launch(fields) {
  const [id, cwd, out, err, argc, ...rest] = fields;
  const argv = rest.splice(0, Number(argc));
  const env = Object.fromEntries(rest.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  const o = fs.openSync(out, 'w', 0o600);
  const e = err === out ? o : fs.openSync(err, 'w', 0o600);
  const child = spawn(argv[0], argv.slice(1), {cwd, env, stdio: ['ignore', o, e], detached: true});
  fs.closeSync(o);
  if (e !== o) fs.closeSync(e);
  child.once('error', (error) => child.pid === undefined && say(`E ${id} ${error.message}`));
  if (child.pid !== undefined) say(`P ${id} ${child.pid}`);
  child.once('exit', (code, signal) =>
    say(signal ? `X ${id} signal ${os.constants.signals[signal]}` : `X ${id} code ${code}`),
  );
}
process.stdin.on('data', (chunk) => {
  buf = Buffer.concat([buf, chunk]);
  for (;;) {
    const nl = buf.indexOf(10);
    if (nl < 0) return;
    const n = Number(buf.subarray(0, nl).toString());
    if (buf.length < nl + 1 + n) return;
    launch(
      buf
        .subarray(nl + 1, nl + 1 + n)
        .toString()
        .split('\0'),
    );
    buf = buf.subarray(nl + 1 + n);
  }
});
