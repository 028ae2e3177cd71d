// `worker` / `fjd work`: run one worker in the foreground (hire starts these detached).
import {Command, Option} from 'commander';
import {detectCapacity} from '../../worker/capacity.js';
import {Worker, type StopMode} from '../../worker/worker.js';
import {
  EXIT,
  duration,
  gpuIds,
  groupSharedFrom,
  groupSharedOption,
  homeFrom,
  homeOption,
  memorySize,
  positiveInteger,
} from '../common.js';

interface WorkCliOptions {
  home?: string;
  logFile?: string;
  heartbeat?: number;
  grace?: number;
  ioRetry?: number;
  groupShared?: boolean;
  slots?: number;
  cpus?: number;
  memory?: number;
  gpus?: string[];
}

export function workCommand(name = 'work'): Command {
  return new Command(name)
    .description(
      'run one worker in the foreground until fired (Ctrl-C stops its running jobs and puts them back in the queue)',
    )
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
    .addOption(
      new Option('--slots <n>', 'how many jobs this worker process runs at once (default 1)').argParser(
        positiveInteger('--slots'),
      ),
    )
    .addOption(
      new Option(
        '--cpus <n>',
        'how many cpus its jobs share (default: its slots); fewer than its slots means at most that many 1-cpu jobs at once',
      ).argParser(positiveInteger('--cpus')),
    )
    .addOption(
      new Option(
        '--memory <size>',
        'how much memory its jobs share, such as 64G (K, M, G, T: powers of 1024; default: what is free as it starts)',
      ).argParser(memorySize('--memory')),
    )
    .addOption(
      new Option(
        '--gpus <ids>',
        'the GPUs its jobs share, such as 0,1,3, or none (default: the ids in CUDA_VISIBLE_DEVICES, else those nvidia-smi -L lists)',
      ).argParser(gpuIds('--gpus')),
    )
    .addOption(new Option('--log-file <file>', "where this worker's output goes (set by hire)").hideHelp())
    .addOption(
      new Option('--io-retry <duration>', 'how long to wait before trying again on a full or read-only disk')
        .argParser(duration('--io-retry'))
        .hideHelp(),
    )
    .addHelpText('after', '\nExamples:\n  worker --home /shared/run1\n  fjd work   # inside a batch allocation')
    .action(async (options: WorkCliOptions) => {
      const log = (line: string): void => void process.stdout.write(`${new Date().toISOString()} ${line}\n`);
      const worker = new Worker({
        home: homeFrom(options),
        groupShared: groupSharedFrom(options),
        cwd: process.cwd(),
        env: process.env,
        log,
        logFile: options.logFile,
        heartbeatMs: options.heartbeat,
        graceMs: options.grace,
        retryIoMs: options.ioRetry,
        capacity: detectCapacity(
          {
            slots: options.slots,
            cpus: options.cpus,
            memoryBytes: options.memory,
            gpus: options.gpus,
          },
          {env: process.env, log},
        ),
      });
      const stop = (mode: StopMode, why: string) => () => worker.stop(mode, why);
      process.on('SIGTERM', stop('now', 'received SIGTERM'));
      process.on('SIGINT', stop('now', 'interrupted'));
      process.on('SIGHUP', () => undefined);
      await worker.run();
      process.exitCode = EXIT.ok;
    });
}
