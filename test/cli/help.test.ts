import {describe, expect, it} from 'vitest';
import {makeHome} from '../helpers/home.js';

const commands: [string, string[]][] = [
  ['fjd', []],
  ['fjd', ['hire']],
  ['fjd', ['fire']],
  ['fjd', ['dispatch']],
  ['fjd', ['work']],
  ['fjd', ['status']],
  ['fjd', ['report']],
  ['fjd', ['submit']],
  ['fjd', ['run']],
  ['fjd', ['logs']],
  ['fjd', ['cancel']],
  ['fjd', ['prioritize']],
  ['fjd', ['retry']],
  ['fjd', ['pause']],
  ['fjd', ['resume']],
  ['recruiter', []],
  ['recruiter', ['hire']],
  ['recruiter', ['fire']],
  ['dispatcher', []],
  ['worker', []],
];

describe('every command has --help', () => {
  it.each(commands)('%s %s --help', async (bin, args) => {
    const home = makeHome('help');
    const result = await home.run(bin, [...args, '--help']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^Usage: /);
    if (args.length > 0 || bin === 'dispatcher' || bin === 'worker') {
      expect(result.stdout).toContain('--home <dir>');
      expect(result.stdout).toContain('Examples:');
    }
    // Asking for help creates nothing.
    expect(home.ls('.')).toEqual([]);
  });

  it('the umbrella takes the same options as the separate commands', async () => {
    const home = makeHome('same');
    for (const [umbrella, single] of [
      [
        ['hire', '--help'],
        ['recruiter', 'hire', '--help'],
      ],
      [
        ['fire', '--help'],
        ['recruiter', 'fire', '--help'],
      ],
      [
        ['dispatch', '--help'],
        ['dispatcher', '--help'],
      ],
      [
        ['work', '--help'],
        ['worker', '--help'],
      ],
    ] as [string[], string[]][]) {
      const options = (text: string): string[] =>
        [...text.matchAll(/^\s+(-[-\w, <>]+?)\s{2,}/gm)]
          .map((m) => m[1] ?? '')
          .filter((o) => o !== '-V, --version')
          .sort();
      const a = await home.run('fjd', umbrella);
      const b = await home.run(single[0] ?? '', single.slice(1));
      expect(options(a.stdout)).toEqual(options(b.stdout));
    }
  });

  it('gives every duration as users write it (30s), never in milliseconds', async () => {
    const home = makeHome('help-durations');
    // Wrapped lines joined, so that a default split over two lines is read whole.
    const help = async (bin: string, args: string[]): Promise<string> =>
      (await home.run(bin, [...args, '--help'])).stdout.replace(/\n\s+/g, ' ');
    for (const [bin, args] of commands)
      expect(await help(bin, args), `${bin} ${args.join(' ')} --help`).not.toMatch(/\(default:? \d{3,}\)/);
    const dispatcher = await help('dispatcher', []);
    for (const [option, value] of [
      ['--lease', '30s'],
      ['--settle', '1s'],
      ['--hook-timeout', '10m'],
      ['--rescan', '1s'],
    ]) {
      expect(dispatcher).toMatch(new RegExp(`${option} <duration> [^\\n]*?\\(default: ${value}\\)`));
    }
    expect(await help('recruiter', ['fire'])).toContain('(default: 1m)');
    expect(await help('recruiter', ['hire'])).toMatch(/--timeout <duration> [^\n]*?\(default: 30s\)/);
    expect(await help('fjd', ['cancel'])).toMatch(/--wait <duration> [^\n]*?\(default: 30s\)/);
  });

  it('fjd submit --help names bulk jobs as they are made: run-01 … run-40', async () => {
    const home = makeHome('help-names');
    for (const verb of ['submit', 'run']) {
      const help = (await home.run('fjd', [verb, '--help'])).stdout.replace(/\n\s+/g, ' ');
      expect(help).toContain(
        'bulk: NAME-1, NAME-2 …, numbered from 1 and zero-padded to the width of the count, as in run-01 … run-40',
      );
    }
    const made = await home.run('fjd', ['submit', '--exe', 'true', '--repeat', '12', '--name', 'run']);
    expect(made.stdout).toBe('Submitted 12 jobs to jobqueue/: run-01 … run-12.\n');
  });

  it('an unknown command or option is a usage error with exit code 2', async () => {
    const home = makeHome('unknown');
    expect((await home.run('fjd', ['frobnicate'])).exitCode).toBe(2);
    const result = await home.run('dispatcher', ['--no-such-option']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("unknown option '--no-such-option'");
  });
});
