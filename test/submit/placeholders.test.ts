import {describe, expect, it} from 'vitest';
import {FjdError} from '../../src/errors.js';
import {fillPlaceholders, shellQuote, splitParameters} from '../../src/submit/placeholders.js';

describe('placeholders in --exe', () => {
  it('replaces $1 … $9 and ${N} with the #-separated parameters', () => {
    expect(fillPlaceholders('touch bla$1.txt', ['1'])).toBe('touch bla1.txt');
    expect(fillPlaceholders('cp $1 $2', splitParameters('a.txt#bk/a.txt'))).toBe('cp a.txt bk/a.txt');
    const many = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k'];
    expect(fillPlaceholders('x ${11} ${1}0 $10', many)).toBe('x k a0 a0 b c d e f g h i j');
  });

  it('appends parameters that fill no placeholder, in order', () => {
    expect(fillPlaceholders('gzip', ['a.txt'])).toBe('gzip a.txt');
    expect(fillPlaceholders('cmd $2', ['a', 'b', 'c'])).toBe('cmd b a c');
  });

  it('quotes a value with any unsafe character, so it stays one word', () => {
    expect(fillPlaceholders('gzip $1', ['my file.txt'])).toBe("gzip 'my file.txt'");
    expect(fillPlaceholders('echo', ["it's; rm -rf ~"])).toBe(`echo 'it'\\''s; rm -rf ~'`);
    expect(shellQuote('')).toBe("''");
    expect(shellQuote('a-b_c.d/e:f=g@h%i+j,k')).toBe('a-b_c.d/e:f=g@h%i+j,k');
    expect(shellQuote('$HOME')).toBe("'$HOME'");
  });

  it('leaves everything else for the shell: $HOME, $x, \\$1', () => {
    expect(fillPlaceholders('echo $HOME $x \\$1 $1', ['v'])).toBe('echo $HOME $x \\$1 v');
  });

  it('refuses a placeholder that the job has no parameter for', () => {
    let caught: unknown;
    try {
      fillPlaceholders('cp $1 $2', ['a.txt']);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(FjdError);
    expect((caught as FjdError).code).toBe('USAGE');
    expect((caught as FjdError).message).toMatch(/uses \$2, but "a\.txt" has 1 parameter/);
  });
});
