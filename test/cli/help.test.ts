import {describe, expect, it} from 'vitest';
import {makeHome} from '../helpers/home.js';

const commands: [string, string[]][] = [
  ['fjd', []],
  ['fjd', ['hire']],
  ['fjd', ['fire']],
  ['fjd', ['dispatch']],
  ['fjd', ['work']],
  ['fjd', ['status']],
  ['fjd', ['submit']],
  ['fjd', ['run']],
  ['fjd', ['logs']],
  ['fjd', ['cancel']],
  ['fjd', ['prioritize']],
  ['fjd', ['retry']],
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
      [['hire', '--help'], ['recruiter', 'hire', '--help']],
      [['fire', '--help'], ['recruiter', 'fire', '--help']],
      [['dispatch', '--help'], ['dispatcher', '--help']],
      [['work', '--help'], ['worker', '--help']],
    ] as [string[], string[]][]) {
      const options = (text: string): string[] =>
        [...text.matchAll(/^\s+(-[-\w, <>]+?)\s{2,}/gm)].map((m) => m[1] ?? '').filter((o) => o !== '-V, --version').sort();
      const a = await home.run('fjd', umbrella);
      const b = await home.run(single[0] ?? '', single.slice(1));
      expect(options(a.stdout)).toEqual(options(b.stdout));
    }
  });

  it('an unknown command or option is a usage error with exit code 2', async () => {
    const home = makeHome('unknown');
    expect((await home.run('fjd', ['frobnicate'])).exitCode).toBe(2);
    const result = await home.run('dispatcher', ['--no-such-option']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("unknown option '--no-such-option'");
  });
});
