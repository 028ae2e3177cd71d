// "Did you mean …?" for a mistyped name: the known name closest to it by edit distance, when
// one is close enough to be a likely typo. Job files and the hosts file use it for their keys.

// The number of single-character insertions, deletions, substitutions and swaps of two
// neighbours that turn `a` into `b` (optimal string alignment: `retires` is one swap from
// `retries`).
export function editDistance(a: string, b: string): number {
  let before: number[] = [];
  let previous = Array.from({length: b.length + 1}, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, (before[j - 2] ?? 0) + 1);
      current.push(best);
    }
    before = previous;
    previous = current;
  }
  return previous[b.length] ?? 0;
}

// The known name `word` was probably meant to be: the closest one, at most 2 edits away and
// no more than a third of the word's length (rounded up), so that short words do not match
// everything. undefined when none is that close, or two are equally close.
export function closestName(word: string, known: readonly string[]): string | undefined {
  const allowed = Math.min(2, Math.ceil(word.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  let tie = false;
  for (const name of known) {
    const distance = editDistance(word.toLowerCase(), name.toLowerCase());
    if (distance < bestDistance) {
      [best, bestDistance, tie] = [name, distance, false];
    } else if (distance === bestDistance) {
      tie = true;
    }
  }
  return best !== undefined && bestDistance <= allowed && !tie ? best : undefined;
}

// ` (did you mean "timeout"?)` for a close known name, else ''.
export function didYouMean(word: string, known: readonly string[]): string {
  const name = closestName(word, known);
  return name === undefined ? '' : ` (did you mean "${name}"?)`;
}
