import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {FjdError} from '../../src/errors.js';
import {planCommand, splitWords} from '../../src/job/command.js';

describe('how an executable line is run', () => {
  it('splits plain words as a shell would, quotes and backslashes included', () => {
    expect(splitWords('python x.py')).toEqual(['python', 'x.py']);
    expect(splitWords(`run 'a b' "c d" e\\ f --k=v`)).toEqual(['run', 'a b', 'c d', 'e f', '--k=v']);
  });

  it.each([
    'a | b',
    'a; b',
    'a && b',
    'a > out',
    'echo $HOME',
    'ls *.txt',
    'cd ~',
    'X=1 run',
    'echo "$x"',
    'echo `date`',
  ])('hands "%s" to /bin/sh, with the job file as "$@"', (line) => {
    expect(splitWords(line)).toBeUndefined();
    const plan = planCommand(line, '/', process.env.PATH);
    expect(plan).toEqual({file: '/bin/sh', args: ['-c', `${line} "$@"`, 'fjd-job'], shell: true, passJobFile: true});
  });

  it('with pass_job_file = no, runs the line as written: no "$@" for the shell, and says so in the plan', () => {
    expect(planCommand('cd data; gzip bla1.txt', '/', process.env.PATH, false)).toEqual({
      file: '/bin/sh',
      args: ['-c', 'cd data; gzip bla1.txt', 'fjd-job'],
      shell: true,
      passJobFile: false,
    });
    const plain = planCommand('sh -e', '/', process.env.PATH, false);
    expect(plain.args).toEqual(['-e']);
    expect(plain.passJobFile).toBe(false);
  });

  it('finds a bare name on PATH and resolves a path with a slash against the working directory', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fjd-cmd-'));
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.writeFileSync(path.join(dir, 'bin', 'go.sh'), '#!/bin/sh\n', {mode: 0o755});
    fs.writeFileSync(path.join(dir, 'bin', 'data.txt'), 'x', {mode: 0o644});
    expect(planCommand('bin/go.sh --fast', dir, '').file).toBe(path.join(dir, 'bin', 'go.sh'));
    expect(planCommand('sh -e', dir, process.env.PATH).file).toMatch(/\/sh$/);
    const codeOf = (line: string): string | undefined => {
      try {
        planCommand(line, dir, process.env.PATH);
      } catch (error) {
        return (error as FjdError).code;
      }
      return undefined;
    };
    expect(codeOf('bin/missing.sh')).toBe('EXECUTABLE_NOT_FOUND');
    expect(codeOf('no-such-program-fjd')).toBe('EXECUTABLE_NOT_FOUND');
    expect(codeOf('bin/data.txt')).toBe('EXECUTABLE_NOT_EXECUTABLE');
    expect(codeOf('./bin')).toBe('EXECUTABLE_NOT_EXECUTABLE');
    fs.rmSync(dir, {recursive: true});
  });
});
