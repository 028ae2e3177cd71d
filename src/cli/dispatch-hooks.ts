// The dispatcher command's hooks: --on-failure for each job that failed, --on-done once the
// queue has drained, each with its FJD_* variables. A hook runs on its own (run/hooks.ts); what
// it prints is shown line by line under its name, and a hook that fails or floods is warned
// of. The command waits for every hook it started (`settled`) before it prints its summary and
// before it exits.
import path from 'node:path';
import type {DispatchSummary} from '../dispatcher/dispatcher.js';
import type {HomePaths} from '../home/layout.js';
import {recordPath} from '../home/paths.js';
import {HOOK_OUTPUT_LIMIT, runHook} from '../run/hooks.js';
import {wallSeconds} from './dispatch-summary.js';

export interface HookOptions {
  onFailure?: string;
  onDone?: string;
  timeoutMs: number;
}

// Where a hook's lines go: shown (on stderr when `toOther`), or as a warning of the command.
export interface HookOutput {
  line(text: string, toOther?: boolean): void;
  warning(text: string): void;
}

export class DispatchHooks {
  private readonly running: Promise<void>[] = [];

  constructor(
    private readonly options: HookOptions,
    private readonly output: HookOutput,
    // The dispatcher's home, asked only when a hook runs (the dispatcher is made after this).
    private readonly paths: () => HomePaths,
  ) {}

  // A job failed: --on-failure runs for it.
  failed(id: string, name: string, reason: string | null): void {
    if (this.options.onFailure === undefined) return;
    const paths = this.paths();
    void this.run('--on-failure', this.options.onFailure, {
      FJD_JOB_ID: id,
      FJD_JOB_NAME: name,
      FJD_JOB_REASON: reason ?? '',
      FJD_JOB_RECORD: recordPath(paths, id),
      FJD_JOB_FILE: path.join(paths.failed, id),
    });
  }

  // The queue has drained (not interrupted): --on-done runs, and is waited for.
  async drained(summary: DispatchSummary): Promise<void> {
    if (this.options.onDone === undefined || summary.interrupted) return;
    await this.run('--on-done', this.options.onDone, {
      FJD_FINISHED: String(summary.finished),
      FJD_FAILED: String(summary.failed),
      FJD_REQUEUED: String(summary.requeued),
      FJD_WALL_SECONDS: wallSeconds(summary),
      // The --halt rule that stopped the run ("soon,fail=3"), empty when none did.
      FJD_HALTED: summary.halted?.rule ?? '',
      FJD_FAILED_JOBS: summary.failedJobs.map((job) => job.id).join('\n'),
    });
  }

  // Once every hook started so far has ended.
  async settled(): Promise<void> {
    await Promise.all(this.running);
  }

  private run(which: string, command: string, env: Record<string, string>): Promise<void> {
    const {line, warning} = this.output;
    const root = this.paths().root;
    const running = runHook(command, {FJD_HOME: root, ...env}, root, this.options.timeoutMs).then(
      (run) => {
        for (const text of run.stdout.split('\n').filter((l) => l !== '')) line(`${which}: ${text}`);
        for (const text of run.stderr.split('\n').filter((l) => l !== '')) line(`${which}: ${text}`, true);
        if (run.trouble !== null) warning(`warning: the ${which} hook failed (${run.trouble}); no job is affected`);
        for (const stream of ['stdout', 'stderr'] as const) {
          const limit = `${HOOK_OUTPUT_LIMIT / 1048576} MiB`;
          if (run.cut[stream] > 0)
            warning(
              `warning: the ${which} hook printed more than ${limit} on ${stream}; the ${run.cut[stream]} bytes after it are not shown`,
            );
        }
      },
      (error: unknown) =>
        warning(`warning: the ${which} hook could not run (${error instanceof Error ? error.message : String(error)})`),
    );
    this.running.push(running);
    return running;
  }
}
