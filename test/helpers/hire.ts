// Hiring N workers of one slot each: N processes, as `recruiter hire N` started before a
// worker held several slots. For tests whose point is N jobs running at once on N processes
// (limits, busy workers, polling processes), whatever a worker of several slots does.
import type {CliResult, RunOptions, TestHome} from './home.js';

export async function hireOneSlotWorkers(
  home: TestHome,
  count: number,
  args: string[] = [],
  options: RunOptions = {},
): Promise<CliResult[]> {
  const results: CliResult[] = [];
  for (let i = 0; i < count; i++) results.push(await home.run('recruiter', ['hire', '1', ...args], options));
  return results;
}
