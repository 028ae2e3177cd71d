// `fjd prioritize JOB P`: give an open job a new priority (higher runs first).
import path from 'node:path';
import {Command, InvalidArgumentError} from 'commander';
import {FjdError} from '../../errors.js';
import {ensureHome} from '../../home/layout.js';
import {readJobMeta} from '../../home/job-meta.js';
import {findJob, jobNotFound} from '../../home/find-job.js';
import {prioritize} from '../../queue/prioritize.js';
import {EXIT, groupSharedFrom, groupSharedOption, homeFrom, homeOption, say} from '../common.js';

function wholeNumber(value: string): number {
  if (!/^[+-]?\d+$/.test(value.trim()))
    throw new InvalidArgumentError('the priority must be a whole number, such as 10 or -5.');
  return Number(value);
}

export function prioritizeCommand(): Command {
  return new Command('prioritize')
    .description('give an open job a new priority: higher runs first, at the next pairing')
    .argument('<job>', 'the job, as named in jobqueue/')
    .argument('<priority>', 'a whole number; jobs without one have 0', wholeNumber)
    .addOption(homeOption())
    .addOption(groupSharedOption())
    .addHelpText(
      'after',
      `
The job file is not changed: the priority is kept in .fjd/priority/ until the job is
handed out, and a running dispatcher takes it at once. The job keeps its submission
time among the jobs of its new priority.

Exit status: 0 when set, 2 for bad usage, 3 if the job is not there or not open.

Examples:
  fjd prioritize sim-0042 10
  fjd prioritize sim-0007 -5`,
    )
    .action((job: string, priority: number, options: {home?: string; groupShared?: boolean}) => {
      const paths = ensureHome(homeFrom(options), {groupShared: groupSharedFrom(options)});
      const found = findJob(paths, job);
      if (found === undefined) throw jobNotFound(paths, job);
      if (found.state !== 'open') {
        throw new FjdError(
          'JOB_WRONG_STATE',
          `${job} is ${found.state}, not open: only a job waiting in jobqueue/ can be given a priority`,
          {path: found.path},
        );
      }
      const name = path.basename(found.file);
      const was = readJobMeta(paths.jobqueue, name, paths)?.priority ?? 0;
      prioritize(paths, name, priority);
      say(`${name}: priority ${priority} (was ${was}); it takes effect at the next pairing.`);
      process.exitCode = EXIT.ok;
    });
}
