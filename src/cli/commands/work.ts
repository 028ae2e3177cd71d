// `worker` / `fjd work`: run one worker in the foreground (hire starts these detached).
import {Command, Option} from 'commander';
import {Worker, type StopMode} from '../../worker/worker.js';
import {EXIT, homeFrom, homeOption} from '../common.js';

export function workCommand(name = 'work'): Command {
  return new Command(name)
    .description('run one worker in the foreground until fired (Ctrl-C stops its job and puts it back in the queue)')
    .addOption(homeOption())
    .addOption(new Option('--log-file <file>', 'where this worker\'s output goes (set by hire)').hideHelp())
    .addHelpText('after', '\nExamples:\n  worker --home /shared/run1\n  fjd work   # inside a batch allocation')
    .action(async (options: {home?: string; logFile?: string}) => {
      const worker = new Worker({
        home: homeFrom(options),
        cwd: process.cwd(),
        env: process.env,
        log: (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`),
        logFile: options.logFile,
      });
      const stop = (mode: StopMode, why: string) => () => worker.stop(mode, why);
      process.on('SIGTERM', stop('now', 'received SIGTERM'));
      process.on('SIGINT', stop('now', 'interrupted'));
      process.on('SIGHUP', () => undefined);
      await worker.run();
      process.exitCode = EXIT.ok;
    });
}
