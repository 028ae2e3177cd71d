// The GPU ids a worker is given (--gpus), parsed as CUDA_VISIBLE_DEVICES names them.
import {describe, expect, it} from 'vitest';
import {parseGpuIds} from '../../src/job/resources.js';
import {errorOf} from '../helpers/errors.js';

describe('a list of GPU ids', () => {
  it.each([
    ['0,1,3', ['0', '1', '3']],
    [' 2 , 0 ', ['2', '0']],
    ['GPU-8f2e-11,1', ['GPU-8f2e-11', '1']],
    ['0,,1,', ['0', '1']],
    ['', []],
    ['none', []],
    ['NONE', []],
  ])('reads %j as %j', (text, ids) => {
    expect(parseGpuIds(text)).toEqual(ids);
  });

  it('refuses an id named twice, naming it', () => {
    const error = errorOf(() => parseGpuIds('0,1,0', '--gpus'));
    expect(error.code).toBe('USAGE');
    expect(error.message).toBe('--gpus names GPU 0 twice');
  });
});
