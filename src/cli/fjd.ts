// The `fjd` umbrella command: every verb under one name, with the same options.
import {Command} from 'commander';
import {main} from './common.js';
import {dispatchCommand} from './commands/dispatch.js';
import {fireCommand} from './commands/fire.js';
import {hireCommand} from './commands/hire.js';
import {statusCommand} from './commands/status.js';
import {workCommand} from './commands/work.js';
import {retryCommand} from './commands/retry.js';
import {cancelCommand} from './commands/cancel.js';
import {prioritizeCommand} from './commands/prioritize.js';
import {runCommand} from './commands/run.js';
import {submitCommand} from './commands/submit.js';
import {logsCommand} from './commands/logs.js';
import {pauseCommand, resumeCommand} from './commands/pause.js';
import {reportCommand} from './commands/report.js';
import {dashboardCommand} from './commands/dashboard.js';
import {VERSION} from '../version.js';

const program = new Command('fjd')
  .description('file-based job distribution: run a changing list of jobs on workers that share a home directory')
  .version(VERSION)
  .addCommand(hireCommand())
  .addCommand(fireCommand('fjd'))
  .addCommand(dispatchCommand('dispatch', 'fjd'))
  .addCommand(workCommand('work'))
  .addCommand(statusCommand())
  .addCommand(reportCommand())
  .addCommand(retryCommand())
  .addCommand(submitCommand())
  .addCommand(runCommand())
  .addCommand(logsCommand())
  .addCommand(cancelCommand())
  .addCommand(prioritizeCommand())
  .addCommand(pauseCommand())
  .addCommand(resumeCommand())
  .addCommand(dashboardCommand());
await main(program);
