// `worker` / `fjd work`: run one worker in the foreground (hire starts these detached).
import {Command, Option} from 'commander';
import {Worker, type StopMode} from '../../worker/worker.js';
import {EXIT, duration, groupSharedFrom, groupSharedOption, homeFrom, homeOption} from '../common.js';

interface WorkCliOptions {
  home?: string;
  logFile?: string;
  heartbeat?: number;
  grace?: number;
  ioRetry?: number;
  groupShared?: boolean;
}

export function workCommand(name = 'work'): Command {
  return new Command(name)
    .description('run one worker in the foreground until fired (Ctrl-C stops its job and puts it back in the queue)')
    .addOption(homeOption())
    .addOption(groupSharedOption())
    .addOption(
      new Option('--heartbeat <duration>', 'how often to renew the heartbeat (default 5s)').argParser(
        duration('--heartbeat'),
      ),
    )
    .addOption(
      new Option('--grace <duration>', 'how long a stopped job gets between TERM and KILL (default 5s)').argParser(
        duration('--grace'),
      ),
    )
    .addOption(new Option('--log-file <file>', "where this worker's output goes (set by hire)").hideHelp())
    .addOption(
      new Option('--io-retry <duration>', 'how long to wait before trying again on a full or read-only disk')
        .argParser(duration('--io-retry'))
        .hideHelp(),
    )
    .addHelpText('after', '\nExamples:\n  worker --home /shared/run1\n  fjd work   # inside a batch allocation')
    .action(async (options: WorkCliOptions) => {
      const worker = new Worker({
        home: homeFrom(options),
        groupShared: groupSharedFrom(options),
        cwd: process.cwd(),
        env: process.env,
        log: (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`),
        logFile: options.logFile,
        heartbeatMs: options.heartbeat,
        graceMs: options.grace,
        retryIoMs: options.ioRetry,
      });
      const stop = (mode: StopMode, why: string) => () => worker.stop(mode, why);
      process.on('SIGTERM', stop('now', 'received SIGTERM'));
      process.on('SIGINT', stop('now', 'interrupted'));
      process.on('SIGHUP', () => undefined);
      await worker.run();
      process.exitCode = EXIT.ok;
    });
}
