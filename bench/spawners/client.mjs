// The long-lived spawners of the spawn benchmark (bench/spawn.mjs) and the client side of
// their protocol, without the benchmark's harness, so that test/bench/spawn.test.ts can drive
// them. The protocol is described in spawner.pl.
import {spawn} from 'node:child_process';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const SPAWNERS = path.dirname(fileURLToPath(import.meta.url));

// The spawners measured: name, command, arguments, how a request is framed.
export const SPAWNER_COMMANDS = [
  ['c. spawner in Perl (fork)', 'perl', [path.join(SPAWNERS, 'spawner.pl')], 'length'],
  ['c. spawner in bash (subshell + setsid)', 'bash', [path.join(SPAWNERS, 'spawner.sh')], 'fields'],
  ['c. spawner in a lean Node process', process.execPath, [path.join(SPAWNERS, 'spawner-node.mjs')], 'length'],
  ['d. spawner in Python (subprocess: vfork)', 'python3', [path.join(SPAWNERS, 'spawner.py')], 'length'],
];

// A spawner process and the client side of its protocol (see spawners/spawner.pl). start()
// gives the job's pid once started, and how it ended: `code N`, `signal N`, or `E why` (it
// could not start).
export function spawnerClient(command, args, framing) {
  const child = spawn(command, args, {stdio: ['pipe', 'pipe', 'inherit']});
  const waiting = new Map();
  let text = '';
  child.stdout.on('data', (chunk) => {
    text += chunk;
    let nl;
    while ((nl = text.indexOf('\n')) >= 0) {
      const [kind, id, ...rest] = text.slice(0, nl).split(' ');
      text = text.slice(nl + 1);
      const job = waiting.get(id);
      if (job === undefined) continue;
      if (kind === 'P') {
        job.started(Number(rest[0]));
        continue;
      }
      waiting.delete(id);
      job.started(undefined);
      job.ended(kind === 'X' ? rest.join(' ') : `E ${rest.join(' ')}`);
    }
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    start(id, spec, argv) {
      const env = Object.entries(spec.env).map(([k, v]) => `${k}=${v}`);
      const fields = [String(id), spec.cwd, spec.stdoutFile, spec.stderrFile];
      const body =
        framing === 'length'
          ? [...fields, String(argv.length), ...argv, ...env].join('\0')
          : `${[...fields, String(argv.length), ...argv, String(env.length), ...env].join('\0')}\0`;
      const job = {};
      const started = new Promise((resolve) => (job.started = resolve));
      const ended = new Promise((resolve) => (job.ended = resolve));
      waiting.set(String(id), job);
      child.stdin.write(framing === 'length' ? `${Buffer.byteLength(body)}\n${body}` : body);
      return {started, ended};
    },
    async run(id, job, argv) {
      const how = await this.start(id, job, argv).ended;
      if (how !== 'code 0') throw new Error(`spawner ${command}: job ${id}: ${how}`);
    },
    async close() {
      child.stdin.end();
      await exited;
    },
  };
}
