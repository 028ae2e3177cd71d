// The `dispatcher` command: pair queued jobs with idle workers.
import {main} from './common.js';
import {dispatchCommand} from './commands/dispatch.js';
import {VERSION} from '../version.js';

await main(dispatchCommand('dispatcher', 'dispatcher').version(VERSION));
