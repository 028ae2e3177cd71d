import {describe, expect, it} from 'vitest';
import {closestName, didYouMean, editDistance} from '../../src/util/suggest.js';

describe('suggesting the name that was meant', () => {
  it.each([
    ['timout', 'timeout', 1],
    ['retires', 'retries', 1],
    ['workrs', 'workers', 1],
    ['kitten', 'sitting', 3],
    ['', 'abc', 3],
    ['same', 'same', 0],
  ])('counts %j to %j as %i edits', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });

  it('suggests a close name, and none for a word unlike them all or close to two', () => {
    const keys = ['timeout', 'retries', 'retry_delay', 'group', 'after', 'after_any'];
    expect(didYouMean('timout', keys)).toBe(' (did you mean "timeout"?)');
    expect(closestName('after_ani', keys)).toBe('after_any');
    expect(closestName('grp', keys)).toBeUndefined();
    expect(closestName('colour', keys)).toBeUndefined();
    expect(closestName('ab', ['ac', 'ad'])).toBeUndefined();
    expect(didYouMean('colour', keys)).toBe('');
  });
});
