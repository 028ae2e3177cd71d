// How a worker starts its jobs: through fjd's job starter (a small Python process beside the
// worker, starter-process.ts) where one runs here, else with Node's spawn (run-job.ts). Both
// start a job the same way: its own session, stdin closed, stdout and stderr to its files.
//
// The starter is started with the first job and ended once no job of it has run for a while,
// so an idle worker is one process. Until it is ready, and wherever it cannot run (no Python,
// FJD_JOB_STARTER=node), jobs are started with Node's spawn; the worker's log says which, once.
// A starter that ends while its jobs run takes their exit statuses with it: those jobs end
// `lost`, the next job starts another, and after MAX_ENDS such ends Node's spawn is used.
import fs from 'node:fs';
import path from 'node:path';
import {runJob, type RunOptions, type RunningJob} from './run-job.js';
import {StarterProcess} from './starter-process.js';

// How long a starter with no job is kept.
const IDLE_MS = 5000;
// How many unexpected ends of a starter are borne before jobs go by Node's spawn.
const MAX_ENDS = 3;

export interface JobStarterOptions {
  // FJD_JOB_STARTER: unset or empty (a python3 found here), `node` (Node's spawn only), or the
  // Python to run it with.
  choice: string | undefined;
  // The environment the starter runs in (the worker's own).
  env: Record<string, string>;
  log(line: string): void;
  idleMs?: number;
}

export class JobStarter {
  private current: StarterProcess | undefined;
  private readonly program: string | undefined;
  private ends = 0;
  private off: string | undefined;
  private told = false;
  private idleTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: JobStarterOptions) {
    this.program = starterProgram(options.choice, options.env.PATH);
    if (this.program === undefined) {
      this.off =
        options.choice === 'node'
          ? 'jobs are started by Node (FJD_JOB_STARTER=node)'
          : "jobs are started by Node: no python3 here for fjd's job starter (see FJD_JOB_STARTER in the README)";
    }
  }

  // Which way the jobs are started now: `starter` or `node`.
  get way(): 'starter' | 'node' {
    return this.current?.state === 'ready' ? 'starter' : 'node';
  }

  // Starts a job; rejects where its output files cannot be opened, as Node's spawn throws.
  start(options: RunOptions): Promise<RunningJob> {
    this.stopIdleTimer();
    const starter = this.starter();
    if (starter?.state === 'ready' && !hasNul(options)) return starter.start(options);
    try {
      return Promise.resolve(runJob(options));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  // Ends the starter: jobs it still runs are left running (a worker that leaves them does so
  // on purpose), and nothing more starts one.
  close(): void {
    this.closed = true;
    this.stopIdleTimer();
    this.current?.close();
    this.current = undefined;
  }

  private starter(): StarterProcess | undefined {
    if (this.off !== undefined || this.closed) {
      if (!this.told && this.off !== undefined) this.options.log(this.off);
      this.told = true;
      return undefined;
    }
    if (this.current !== undefined && this.current.state !== 'ended') return this.current;
    const program = this.program ?? '';
    const starter: StarterProcess = new StarterProcess(program, this.options.env, {
      ready: () => {
        if (this.closed) return;
        if (!this.told)
          this.options.log(`jobs are started by fjd's job starter (${program}, pid ${String(starter.pid)})`);
        this.told = true;
        this.idleSoon(starter);
      },
      jobEnded: () => this.idleSoon(starter),
      ended: (expected, why, lost) => {
        if (this.current === starter) this.current = undefined;
        if (this.closed) return;
        if (!starter.wasReady) {
          this.turnOff(`jobs are started by Node: ${why} before it was ready`);
          return;
        }
        if (expected) return;
        this.ends += 1;
        const said = `${why}; ${lost} running job${lost === 1 ? '' : 's'} went on without it`;
        if (this.ends < MAX_ENDS) this.options.log(`${said}; the next job starts another`);
        else this.turnOff(`${said}; it ended ${this.ends} times, so jobs are started by Node from now on`);
      },
    });
    this.current = starter;
    return starter;
  }

  // From now on, jobs are started by Node's spawn; the log says why.
  private turnOff(why: string): void {
    this.off = why;
    this.told = true;
    this.options.log(why);
  }

  // Ends a starter that has had no job for a while.
  private idleSoon(starter: StarterProcess): void {
    if (starter.outstanding() > 0 || starter !== this.current) return;
    this.stopIdleTimer();
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (starter !== this.current || starter.outstanding() > 0) return;
      this.current = undefined;
      starter.close();
    }, this.options.idleMs ?? IDLE_MS);
    this.idleTimer.unref();
  }

  private stopIdleTimer(): void {
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }
}

// The Python that runs the starter: the one named, or the system's, or one on PATH.
export function starterProgram(choice: string | undefined, searchPath: string | undefined): string | undefined {
  if (choice === 'node') return undefined;
  if (choice !== undefined && choice !== '') return choice;
  const dirs = ['/usr/bin', ...(searchPath ?? '').split(':').filter((dir) => path.isAbsolute(dir))];
  for (const dir of dirs) {
    const candidate = path.join(dir, 'python3');
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

// Whether anything of the job holds a NUL, which no exec can pass: Node's spawn says so.
function hasNul(options: RunOptions): boolean {
  const {plan, env} = options;
  const texts = [plan.file, ...plan.args, options.jobFile, options.cwd, options.stdoutFile, options.stderrFile];
  for (const [name, value] of Object.entries(env)) texts.push(name, value);
  return texts.some((text) => text.includes('\0'));
}
