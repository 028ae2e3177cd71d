// Fail-fast (`--halt`): the rule, read from its text, and the decision whether a run has
// reached it. Pure: no clock, no files. `when` says what halting does: `soon` hands out
// nothing more and waits for the jobs already handed out; `now` also cancels those.
//
// The failures counted are the jobs that ended in failed/ during this dispatcher's run (a job
// that is retried counts once, when its last attempt fails; one cancelled with `fjd cancel`
// does not count). A percentage is of all the jobs of the run, as GNU parallel takes it of
// all its jobs: those ended during this run, and those still open or handed out.

// When to halt: at N failures, or at P% of the run's jobs failed.
export type HaltLimit = {count: number} | {percent: number};

export interface HaltRule {
  when: 'now' | 'soon';
  fail: HaltLimit;
  // As given, for messages: "soon,fail=3".
  text: string;
}

// How the run stands when its end is judged.
export interface RunCounts {
  // Jobs that ended in failed/ during this run (as counted above).
  failed: number;
  // Jobs that ended during this run, failed or not.
  ended: number;
  // Jobs not ended yet: open in jobqueue/ or handed out.
  left: number;
}

const FORMS =
  'now,fail=N, soon,fail=N, now,fail=P% or soon,fail=P% (N a whole number of jobs, 1 or more; P a percentage above 0 and at most 100)';

// The rule `text` says, or why it says none (a message that names the value).
export function parseHalt(text: string): HaltRule | {error: string} {
  const bad = (why: string): {error: string} => ({error: `--halt ${JSON.stringify(text)}: ${why}; it takes ${FORMS}`});
  const match = /^\s*([a-z]+)\s*,\s*fail\s*=\s*([0-9.]+)\s*(%?)\s*$/i.exec(text);
  if (match === null) return bad('not of the form WHEN,fail=LIMIT');
  const when = (match[1] ?? '').toLowerCase();
  if (when !== 'now' && when !== 'soon') return bad(`"${match[1] ?? ''}" is neither now nor soon`);
  const number = Number(match[2]);
  const normal = `${when},fail=${match[2] ?? ''}${match[3] ?? ''}`;
  if (match[3] === '%') {
    if (!Number.isFinite(number) || number <= 0 || number > 100)
      return bad(`${match[2] ?? ''}% is not above 0 and at most 100`);
    return {when, fail: {percent: number}, text: normal};
  }
  if (!Number.isInteger(number) || number < 1) return bad(`${match[2] ?? ''} is not a whole number of jobs, 1 or more`);
  return {when, fail: {count: number}, text: normal};
}

// Whether the run has reached the rule: N failures, or failures that are P% of its jobs.
export function haltReached(rule: HaltRule, counts: RunCounts): boolean {
  if (counts.failed === 0) return false;
  if ('count' in rule.fail) return counts.failed >= rule.fail.count;
  const total = counts.ended + counts.left;
  return counts.failed * 100 >= rule.fail.percent * total;
}
