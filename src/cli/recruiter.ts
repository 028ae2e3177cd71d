// The `recruiter` command: hire and fire workers.
import {Command} from 'commander';
import {main} from './common.js';
import {fireCommand} from './commands/fire.js';
import {hireCommand} from './commands/hire.js';
import {VERSION} from '../version.js';

const program = new Command('recruiter')
  .description('hire (start) and fire (stop) fjd workers for a home')
  .version(VERSION)
  .addCommand(hireCommand())
  .addCommand(fireCommand('recruiter'));
await main(program);
