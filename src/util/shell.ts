// Quoting for /bin/sh: a word goes in as it is when it holds only characters the shell leaves
// alone (a `~` too, except first, where it would expand), else in single quotes.
const SAFE = /^(?!~)[\w./:=@%+,~-]+$/;

export function shellQuote(word: string): string {
  return SAFE.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
