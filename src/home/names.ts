// Which names in jobqueue/ are jobs, how long a job's name may be, how a job's unique id
// derives from its name (`stem~N.ext`, built and parsed only here), and which names a
// dependency on a job may use.
import crypto from 'node:crypto';

// Linux (and NFS) allow at most this many bytes in one name of a path.
export const NAME_MAX_BYTES = 255;

// The most fjd ever adds to a job's id to name a file of that job: `.ID.record` (its staged
// record, 8 bytes more), `ID.json` (5), `cancel.ID` (7), `ID.N.out` and `ID.N.err` (its output,
// 15 for an attempt number of up to 10 digits). So an id may have at most 255 - 16 bytes.
const ID_SUFFIX_BYTES = 16;
export const MAX_ID_BYTES = NAME_MAX_BYTES - ID_SUFFIX_BYTES;

// The longest name a job may have in jobqueue/: 15 bytes below the longest id, so that the
// ids of a name queued many times, `stem~2.ext` up to `stem~99999999999999.ext`, keep the
// whole name (a dependency and `fjd status NAME` find them by it). A longer name fails into
// failed/ before anything is derived from it; `fjd submit` refuses it.
export const MAX_JOB_NAME_BYTES = MAX_ID_BYTES - 15;

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

// Why `name` cannot be a job's name, or undefined when it can.
export function jobNameProblem(name: string): string | undefined {
  const bytes = Buffer.byteLength(name);
  if (bytes > MAX_JOB_NAME_BYTES)
    return `the job's name has ${bytes} bytes, more than the ${MAX_JOB_NAME_BYTES} a job name may have`;
  return undefined;
}

// The n-th distinct id for a job name: the name itself first, then `stem~2.ext`, `stem~3.ext`…
// so that a later job with the same name stays distinguishable and keeps its extension. A
// numbered name never has more than `maxBytes`: where it would (a name numbered twice, as a
// file of a taken name in done/, or a huge number), the end of its stem gives way.
export function numberedName(name: string, n: number, maxBytes = MAX_ID_BYTES): string {
  if (n <= 1) return name;
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot <= 0 ? [name, ''] : [name.slice(0, dot), name.slice(dot)];
  const suffix = `~${n}${ext}`;
  const room = maxBytes - Buffer.byteLength(suffix);
  if (room >= 1) return `${truncateBytes(stem, room)}${suffix}`;
  // An extension too long to keep: number the name as a whole.
  return `${truncateBytes(name, maxBytes - `~${n}`.length)}~${n}`;
}

// The first `maxBytes` bytes of `text` or fewer, never cutting a character in two.
export function truncateBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char);
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += char.length;
  }
  return text.slice(0, end);
}

// A name fjd can record for a file whose own name it cannot use: too long, or not UTF-8.
// Each byte that is not part of a UTF-8 character is written as %XX (`odd-\377` becomes
// `odd-%FF`); a name that is still longer than a job name may be keeps its first bytes and
// gets `-` and 8 hex digits of a hash of the whole name, so that two long names that differ
// only at their end get different names.
export function recordableName(raw: Buffer): string {
  const escaped = escapeNonUtf8(raw);
  if (Buffer.byteLength(escaped) <= MAX_JOB_NAME_BYTES) return escaped;
  const hash = crypto.createHash('sha256').update(raw).digest('hex').slice(0, 8);
  return `${truncateBytes(escaped, MAX_JOB_NAME_BYTES - hash.length - 1)}-${hash}`;
}

// What the ids of a job dropped as `name` are numbered from: the name itself, or, for a name
// too long to be one, a shorter name that fits (recordableName).
export function idStem(name: string): string {
  return jobNameProblem(name) === undefined ? name : recordableName(Buffer.from(name));
}

// Whether these bytes are a name Node can use as a string: valid UTF-8.
export function isUtf8Name(raw: Buffer): boolean {
  return Buffer.from(raw.toString('utf8')).equals(raw);
}

const strictUtf8 = new TextDecoder('utf-8', {fatal: true});

// The bytes as text, each byte that does not begin a valid UTF-8 character written as %XX.
export function escapeNonUtf8(raw: Buffer): string {
  if (isUtf8Name(raw)) return raw.toString('utf8');
  let text = '';
  let i = 0;
  while (i < raw.length) {
    const lead = raw[i] ?? 0;
    const size =
      lead < 0x80
        ? 1
        : lead >= 0xc2 && lead <= 0xdf
          ? 2
          : lead >= 0xe0 && lead <= 0xef
            ? 3
            : lead >= 0xf0 && lead <= 0xf4
              ? 4
              : 0;
    let char: string | undefined;
    if (size > 0 && i + size <= raw.length) {
      try {
        char = strictUtf8.decode(raw.subarray(i, i + size));
      } catch {
        char = undefined;
      }
    }
    if (char === undefined) {
      text += `%${lead.toString(16).toUpperCase().padStart(2, '0')}`;
      i += 1;
    } else {
      text += char;
      i += size;
    }
  }
  return text;
}

// A name ending in `~N`, N from 2 and written as numberedName writes it.
const NUMBERED = /^(.+)~([2-9]|[1-9]\d+)$/;

// The name and number an id was made from by numberedName, its exact inverse: `a~2.ini` is
// the second job of the name `a.ini`, `a~3` the third of `a`. Any other id is a name of its
// own, number 1.
export function parseId(id: string): {name: string; number: number} {
  if (!id.includes('~')) return {name: id, number: 1};
  const dot = id.lastIndexOf('.');
  if (dot > 0) {
    const match = NUMBERED.exec(id.slice(0, dot));
    if (match !== null) return {name: `${match[1] ?? ''}${id.slice(dot)}`, number: Number(match[2])};
  }
  // `name~N` is made only from a name with no extension.
  const match = NUMBERED.exec(id);
  if (match !== null && (match[1] ?? '').lastIndexOf('.') <= 0) return {name: match[1] ?? '', number: Number(match[2])};
  return {name: id, number: 1};
}

// The number N of `id` among the jobs of the name `jobName` (1 for the name itself), or 0 when
// the id is not one of that name's. A name too long to be an id has ids made from a shorter
// one (idStem).
export function idNumber(jobName: string, id: string): number {
  const name = idStem(jobName);
  if (id === name) return 1;
  const parsed = parseId(id);
  return parsed.name === name && parsed.number > 1 ? parsed.number : 0;
}

// The names a dependency may use for a job: `a` names `a.ini` too (the extension may be left
// out), and a numbered id `a~2.ini` is a later job of the name `a.ini`.
export function dependencyKeys(name: string): string[] {
  const base = parseId(name).name;
  const dot = base.lastIndexOf('.');
  return dot > 0 ? [base, base.slice(0, dot)] : [base];
}
