// The dispatcher's warnings about the group limits in force (src/home/limits.ts says which are).

// A warning for each group whose limit has become 0, which never lets its jobs run: at the
// dispatcher's start (`before` empty) and whenever the limits file sets one.
export function zeroLimitWarnings(
  before: ReadonlyMap<string, number>,
  now: ReadonlyMap<string, number>,
  flags: ReadonlyMap<string, number> | undefined,
  file: string,
): string[] {
  const warnings: string[] = [];
  for (const [group, limit] of now) {
    if (limit !== 0 || before.get(group) === 0) continue;
    const from = flags?.get(group) === 0 ? `--limit ${group}=0` : `the limits file ${file}`;
    warnings.push(`group ${group} has a limit of 0 (${from}): none of its jobs runs until the limit is raised`);
  }
  return warnings;
}
