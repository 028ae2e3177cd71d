// Which names in jobqueue/ are jobs, and how a job's unique id derives from its name.

// Names that are ignored because they are being written or belong to editors: hidden files,
// `x.tmp`, `x~` and Emacs' `#x#`. Users drop jobs atomically by writing under such a name
// (or elsewhere on the same filesystem) and renaming.
export function isIgnoredName(name: string): boolean {
  return (
    name.startsWith('.') ||
    name.endsWith('~') ||
    name.toLowerCase().endsWith('.tmp') ||
    (name.startsWith('#') && name.endsWith('#')) ||
    name.length === 0
  );
}

// The n-th distinct id for a job name: the name itself first, then `stem~2.ext`, `stem~3.ext`…
// so that a later job with the same name stays distinguishable and keeps its extension.
export function numberedName(name: string, n: number): string {
  if (n <= 1) return name;
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return `${name}~${n}`;
  return `${name.slice(0, dot)}~${n}${name.slice(dot)}`;
}
