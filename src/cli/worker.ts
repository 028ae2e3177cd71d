// The `worker` command: one worker in the foreground; `recruiter hire` starts it detached.
import {main} from './common.js';
import {workCommand} from './commands/work.js';
import {VERSION} from '../version.js';

await main(workCommand('worker').version(VERSION));
