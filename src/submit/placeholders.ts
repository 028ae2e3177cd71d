// Filling a command line with a job's parameters, as fjd did: `$1`…`$9` and `${N}` stand for
// the job's `#`-separated parameters. Each value goes in shell-quoted when it needs to be, so
// a file name with a space stays one word; parameters that fill no placeholder are appended
// in order. Nothing else in the line is touched: `$HOME` or `$x` stay for the shell.
import {FjdError} from '../errors.js';
import {shellQuote} from '../util/shell.js';

export {shellQuote};
// `$1`…`$9` or `${N}`, not after a backslash (`\$1` is a literal $1 to the shell).
const PLACEHOLDER = /(?<!\\)\$(?:([1-9])|\{([1-9][0-9]*)\})/g;

// Splits one item of --parameters (or one line of standard input) into its parameters.
export function splitParameters(item: string): string[] {
  return item.split('#');
}

// The command line for one job: placeholders replaced, unused parameters appended.
export function fillPlaceholders(line: string, parameters: string[]): string {
  const used = new Set<number>();
  const filled = line.replace(PLACEHOLDER, (_match, digit: string | undefined, braced: string | undefined) => {
    const n = Number(digit ?? braced);
    const value = parameters[n - 1];
    if (value === undefined) {
      throw new FjdError(
        'USAGE',
        `the command uses $${n}, but "${parameters.join('#')}" has ${parameters.length} parameter${parameters.length === 1 ? '' : 's'}`,
        {
          hint: "Separate a job's parameters with #, as in --parameters 'a.txt#bk/a.txt,b.txt#bk/b.txt'.",
        },
      );
    }
    used.add(n);
    return shellQuote(value);
  });
  const rest = parameters.filter((_value, index) => !used.has(index + 1)).map(shellQuote);
  return rest.length === 0 ? filled : `${filled} ${rest.join(' ')}`;
}
