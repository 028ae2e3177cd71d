// One job starter process (its program and protocol: starter-program.ts) and the worker's side
// of it: a request per job, and the replies that say the job's pid, why it could not start, or
// how it ended. When the starter ends while jobs it started still run, their exit statuses are
// lost with it: each is watched until it is gone and then said to have ended unknown (`lost`).
import {spawn, type ChildProcess} from 'node:child_process';
import os from 'node:os';
import {getSystemErrorMap} from 'node:util';
import {processLiveness} from '../util/host.js';
import {stopGroup} from '../util/kill-tree.js';
import type {RunOptions, RunResult, RunningJob} from './run-job.js';
import {STARTER_PROGRAM} from './starter-program.js';

// How often the jobs of a starter that ended are looked at, until each is gone.
const ORPHAN_LOOK_MS = 250;

interface Waiting {
  options: RunOptions;
  pid: number | undefined;
  started(pid: number | undefined): void;
  failed(error: Error): void;
  ended(result: RunResult): void;
  killTimer?: NodeJS.Timeout;
}

export type StarterState = 'starting' | 'ready' | 'ended';

export interface StarterEvents {
  // The starter is ready, or could not start (`why`: what it said, or how it ended).
  ready(): void;
  // It ended. `expected`: it was closed; `why`: its exit; `lost`: the jobs it took with it.
  ended(expected: boolean, why: string, lost: number): void;
  // A job it started has ended (outstanding() went down).
  jobEnded(): void;
}

// The program goes over its stdin, ahead of the requests, so that its command line (what `ps`
// shows) is a line: a bootstrap that reads exactly the program's bytes, then runs it.
const PROGRAM = Buffer.from(STARTER_PROGRAM);
const BOOTSTRAP = [
  `import os;n=${PROGRAM.length};b=b''`,
  `exec("while len(b)<n:\\n c=os.read(0,n-len(b))\\n if not c:raise SystemExit\\n b+=c")`,
  `exec(compile(b,'fjd-job-starter','exec'))`,
].join(';');

const SIGNAL_NAMES = new Map<number, string>(Object.entries(os.constants.signals).map(([name, n]) => [n, name]));

export class StarterProcess {
  state: StarterState = 'starting';
  // Whether it was ever ready: one that ended before is unusable here.
  wasReady = false;
  private readonly child: ChildProcess;
  private readonly waiting = new Map<string, Waiting>();
  private nextKey = 1;
  private text = '';
  private closing = false;
  private stderr = '';

  constructor(
    readonly program: string,
    env: Record<string, string>,
    private readonly events: StarterEvents,
  ) {
    this.child = spawn(program, ['-I', '-S', '-c', BOOTSTRAP, 'fjd-job-starter'], {
      cwd: '/',
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const {stdin, stdout, stderr} = this.child;
    stdin?.write(PROGRAM);
    // A starter that has ended makes writes fail (EPIPE): its exit says what happened.
    stdin?.on('error', () => undefined);
    stdout?.setEncoding('utf8');
    stdout?.on('data', (chunk: string) => this.onData(chunk));
    stderr?.setEncoding('utf8');
    stderr?.on('data', (chunk: string) => {
      if (this.stderr.length < 2000) this.stderr += chunk;
    });
    this.child.once('error', (error) => this.onEnd(error.message));
    this.child.once('exit', (code, signal) =>
      this.onEnd(signal === null ? `exit code ${String(code)}` : `killed by signal ${signal}`),
    );
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  // The jobs asked for that have not ended.
  outstanding(): number {
    return this.waiting.size;
  }

  // What it wrote on stderr, on one line.
  said(): string {
    return this.stderr.trim().split('\n').slice(-1)[0] ?? '';
  }

  // Starts a job: resolves once it runs (or has been found unable to start, in its result), and
  // rejects where today's spawn throws (its output files cannot be opened).
  start(options: RunOptions): Promise<RunningJob> {
    const key = String(this.nextKey++);
    const argv = [options.plan.file, ...options.plan.args];
    if (options.plan.passJobFile) argv.push(options.jobFile);
    const env = Object.entries(options.env).map(([name, value]) => `${name}=${value}`);
    const body = [key, options.cwd, options.stdoutFile, options.stderrFile, String(argv.length), ...argv, ...env].join(
      '\0',
    );
    const request = `${Buffer.byteLength(body)}\n${body}`;
    return new Promise<RunningJob>((resolve, reject) => {
      let ended: (result: RunResult) => void = () => undefined;
      const result = new Promise<RunResult>((done) => (ended = done));
      const job: Waiting = {
        options,
        pid: undefined,
        started: (pid) =>
          resolve({
            pid,
            result,
            stop: (graceMs) => {
              if (job.pid !== undefined) job.killTimer = stopGroup(job.pid, graceMs, job.killTimer);
            },
          }),
        failed: reject,
        ended: (outcome) => {
          if (job.killTimer !== undefined) clearTimeout(job.killTimer);
          ended(outcome);
        },
      };
      this.waiting.set(key, job);
      this.child.stdin?.write(request);
    });
  }

  // Ends it once its jobs have ended: it reads the end of its input and exits.
  close(): void {
    this.closing = true;
    this.child.stdin?.end();
  }

  private onData(chunk: string): void {
    this.text += chunk;
    let nl: number;
    while ((nl = this.text.indexOf('\n')) >= 0) {
      const words = this.text.slice(0, nl).split(' ');
      this.text = this.text.slice(nl + 1);
      this.onReply(words);
    }
  }

  private onReply([kind, key, ...rest]: string[]): void {
    if (kind === 'R') {
      this.state = 'ready';
      this.wasReady = true;
      this.events.ready();
      return;
    }
    const job = this.waiting.get(key ?? '');
    if (job === undefined) return;
    if (kind === 'P') {
      job.pid = Number(rest[0]);
      job.started(job.pid);
    } else if (kind === 'E') {
      this.waiting.delete(key ?? '');
      this.notStarted(job, rest);
      this.events.jobEnded();
    } else if (kind === 'X') {
      this.waiting.delete(key ?? '');
      const n = Number(rest[1]);
      job.ended({
        exitCode: rest[0] === 'c' ? n : null,
        signal: rest[0] === 's' ? (SIGNAL_NAMES.get(n) ?? `signal ${n}`) : null,
        spawnError: null,
      });
      this.events.jobEnded();
    }
  }

  // Says why a job did not start as Node's spawn says it: its output files as fs errors, the
  // start itself in the spawn's own words ("spawn /nowhere ENOENT").
  private notStarted(job: Waiting, [stage, ...rest]: string[]): void {
    const {options} = job;
    if (stage === 'open') {
      const file = rest[0] === 'err' ? options.stderrFile : options.stdoutFile;
      const [code, message] = errnoName(Number(rest[1]));
      job.failed(Object.assign(new Error(`${code}: ${message}, open '${file}'`), {code, syscall: 'open', path: file}));
      return;
    }
    const spawnError =
      stage === 'start'
        ? `spawn ${options.plan.file} ${errnoName(Number(rest[0]))[0]}`
        : `spawn ${options.plan.file}: ${rest.join(' ')}`;
    job.started(undefined);
    job.ended({exitCode: null, signal: null, spawnError});
  }

  private onEnd(why: string): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    const lost = [...this.waiting.values()];
    this.waiting.clear();
    const said = this.said();
    const which = this.pid === undefined ? this.program : `${this.program}, pid ${this.pid}`;
    const because = `fjd's job starter (${which}) ended (${why}${said === '' ? '' : `: ${said}`})`;
    for (const job of lost) {
      if (job.pid === undefined) {
        job.started(undefined);
        job.ended({
          exitCode: null,
          signal: null,
          spawnError: null,
          lost: `${because} while starting it: it may have run`,
        });
        continue;
      }
      this.watchOrphan(job, `exit status unknown: ${because} while it ran`);
    }
    this.events.ended(this.closing && lost.length === 0, because, lost.length);
  }

  // A job whose starter ended runs on without a parent that hears its end: it is looked at
  // until it is gone (a zombie is gone).
  private watchOrphan(job: Waiting, lost: string): void {
    const pid = job.pid ?? 0;
    const look = setInterval(() => {
      if (processLiveness(pid, null) !== 'dead') return;
      clearInterval(look);
      job.ended({exitCode: null, signal: null, spawnError: null, lost});
      this.events.jobEnded();
    }, ORPHAN_LOOK_MS);
  }
}

// Linux's name and text of an errno, as Node's own errors give them (`ENOENT`, `no such file
// or directory`).
function errnoName(errno: number): [string, string] {
  const known = getSystemErrorMap().get(-errno);
  return known === undefined ? [`errno ${errno}`, 'unknown error'] : [known[0], known[1]];
}
