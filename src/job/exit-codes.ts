// The exit statuses of [control] retry_on and no_retry_on: which failed runs are tried again.
// A status is a whole number from 1 to 255, as a shell's $? reports it: a run killed by signal N
// has 128 + N (137 for SIGKILL, 143 for SIGTERM), so a list names signals the way users see them.
import {FjdError} from '../errors.js';
import {listItems, type NameValue} from './values.js';

// The statuses of a list such as `137, 143` or `2 3` (commas or white space between them),
// each once, in order. Throws a job's reason for anything that is not such a list.
export function parseExitStatuses(text: string, key: string, named: NameValue): number[] {
  const items = listItems(text);
  const bad = items.find((item) => !/^\d+$/.test(item) || Number(item) < 1 || Number(item) > 255);
  if (bad !== undefined || items.length === 0) {
    throw new FjdError(
      'JOB_BAD_VALUE',
      `${named(key, text)} is not a list of exit codes from 1 to 255${bad === undefined ? '' : ` ("${bad}" is not one)`}`,
      {
        hint: `Write exit codes separated by commas, such as \`${key} = 137, 143\` (a run killed by signal N exits 128 + N).`,
      },
    );
  }
  return [...new Set(items.map(Number))];
}

// The exit status of a run as a shell reports it: its exit code, or 128 + N when signal N
// killed it; undefined when it has neither (it never started).
export function exitStatusOf(exitCode: number | null, signalNumber: number | undefined): number | undefined {
  if (exitCode !== null) return exitCode;
  return signalNumber === undefined ? undefined : 128 + signalNumber;
}
