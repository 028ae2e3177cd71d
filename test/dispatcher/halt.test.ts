import {describe, expect, it} from 'vitest';
import {haltReached, parseHalt, type HaltRule} from '../../src/dispatcher/halt.js';

function rule(text: string): HaltRule {
  const parsed = parseHalt(text);
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed;
}

describe('--halt: the rule', () => {
  it('reads now and soon, a count or a percentage', () => {
    expect(parseHalt('now,fail=1')).toEqual({when: 'now', fail: {count: 1}, text: 'now,fail=1'});
    expect(parseHalt('soon,fail=3')).toEqual({when: 'soon', fail: {count: 3}, text: 'soon,fail=3'});
    expect(parseHalt('soon,fail=3%')).toEqual({when: 'soon', fail: {percent: 3}, text: 'soon,fail=3%'});
    expect(parseHalt(' NOW , fail = 2.5% ')).toEqual({when: 'now', fail: {percent: 2.5}, text: 'now,fail=2.5%'});
    expect(parseHalt('now,fail=100%')).toEqual({when: 'now', fail: {percent: 100}, text: 'now,fail=100%'});
  });

  it('refuses anything else with a message that names the value and the forms', () => {
    for (const [text, why] of [
      ['later,fail=3', '"later" is neither now nor soon'],
      ['now', 'not of the form WHEN,fail=LIMIT'],
      ['now,success=1', 'not of the form WHEN,fail=LIMIT'],
      ['now,fail=0', '0 is not a whole number of jobs, 1 or more'],
      ['now,fail=1.5', '1.5 is not a whole number of jobs, 1 or more'],
      ['soon,fail=0%', '0% is not above 0 and at most 100'],
      ['soon,fail=101%', '101% is not above 0 and at most 100'],
      ['soon,fail=1..2', '1..2 is not a whole number'],
    ] as const) {
      const parsed = parseHalt(text);
      expect('error' in parsed ? parsed.error : 'parsed', text).toContain(`--halt ${JSON.stringify(text)}: ${why}`);
      expect('error' in parsed ? parsed.error : '').toContain(
        'it takes now,fail=N, soon,fail=N, now,fail=P% or soon,fail=P%',
      );
    }
  });
});

describe('--halt: the decision', () => {
  it('halts at N failures of the run, not before', () => {
    const three = rule('soon,fail=3');
    expect(haltReached(three, {failed: 2, ended: 40, left: 100})).toBe(false);
    expect(haltReached(three, {failed: 3, ended: 3, left: 100})).toBe(true);
    expect(haltReached(three, {failed: 4, ended: 9, left: 0})).toBe(true);
  });

  it('halts at P% of all the jobs of the run (ended, and those left), as GNU parallel does', () => {
    const ten = rule('now,fail=10%');
    // 100 jobs: the 10th failure halts, whenever it comes.
    expect(haltReached(ten, {failed: 9, ended: 9, left: 91})).toBe(false);
    expect(haltReached(ten, {failed: 10, ended: 10, left: 90})).toBe(true);
    expect(haltReached(ten, {failed: 10, ended: 95, left: 5})).toBe(true);
    // The first failure of 5 jobs is 20%.
    expect(haltReached(ten, {failed: 1, ended: 1, left: 4})).toBe(true);
    expect(haltReached(rule('soon,fail=100%'), {failed: 4, ended: 5, left: 0})).toBe(false);
    expect(haltReached(rule('soon,fail=100%'), {failed: 5, ended: 5, left: 0})).toBe(true);
  });

  it('never halts a run without failures', () => {
    expect(haltReached(rule('now,fail=1'), {failed: 0, ended: 1000, left: 0})).toBe(false);
    expect(haltReached(rule('now,fail=1%'), {failed: 0, ended: 0, left: 0})).toBe(false);
  });
});
