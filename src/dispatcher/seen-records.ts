// Which job names have a record, as far as the dispatcher can know without asking per job (a
// round trip each on NFS): only a job put back in jobqueue/ keeps its place in line, by its
// record (home/job-meta.ts), and a job file whose name has no record needs no look for one.
//
// Known from one listing of .fjd/records/ at the start, streamed in the background (a backlog
// of 100,000 costs a few hundred reads of the directory, not 100,000 lookups), and from the
// records' watch after. Whoever puts a job back (a worker, `fjd retry`, a recovery) writes
// its record moments after its file lands in jobqueue/, so:
// - a job file found by a listing, whose file (by the file server's clock) is older than the
//   start of the records' listing by a margin, has a record only if that listing saw it;
// - a job file seen to appear, while the watches work, has one only if the listing or the
//   watch told of it.
// Any other job file (one found by a later listing: another host's, moments old) is looked
// for as before. A mistake here costs only a job's place in line, never a job.
//
// The names are kept in a Bloom filter of fixed size (1 MiB), not one string per record: a
// name told of is always found, one never told of is found by mistake rarely (about 1 in a
// million with 100,000 records, 2% with a million), and a mistake costs only the look that is
// made without this. A record event without a name (the watch lost track), or a listing that
// failed, makes every name found from then on.
import fs from 'node:fs';
import {RECORD_SUFFIX} from '../home/paths.js';

const BITS = 8 * 1024 * 1024;
const HASHES = 5;
// How much older than the start of the records' listing a job file must be for the listing to
// have seen its record, had it one: its put-back writes the record moments after the file.
export const PUT_BACK_MARGIN_MS = 1000;
// How many records are listed at once, before the first job is read; the rest in the background.
const SYNC_ENTRIES = 4096;

// What of the intake's effects the check needs.
interface IntakeClock {
  watching?(): boolean;
  ageOf(mtimeMs: number): number;
}

export class SeenRecords {
  private readonly bits = new Uint8Array(BITS / 8);
  private lostTrack = false;
  // When the records' listing started (performance.now()), once it has ended whole.
  private listedFromMs: number | undefined;

  // Lists the records: the first SYNC_ENTRIES at once (a home of few records is known before
  // its first job is read), the rest in the background. What it finds is told as the watch's
  // names are.
  async list(dir: string): Promise<void> {
    const startedMs = performance.now();
    let handle: fs.Dir | undefined;
    try {
      handle = fs.opendirSync(dir, {bufferSize: 1024});
      for (let n = 0; n < SYNC_ENTRIES; n++) {
        const entry = handle.readSync();
        if (entry === null) {
          this.listedFromMs = startedMs;
          return;
        }
        this.told(entry.name);
      }
      for (let entry = await handle.read(); entry !== null; entry = await handle.read()) this.told(entry.name);
      this.listedFromMs = startedMs;
    } catch {
      this.lostTrack = true;
    } finally {
      handle?.close().catch(() => undefined);
    }
  }

  // The records' watch (or the listing) told of `file` (ID.json); undefined: of something
  // unnamed.
  told(file: string | undefined): void {
    if (file === undefined) {
      this.lostTrack = true;
      return;
    }
    const name = file.endsWith(RECORD_SUFFIX) ? file.slice(0, -RECORD_SUFFIX.length) : file;
    const [h1, h2] = hashes(name);
    for (let i = 0; i < HASHES; i++) {
      const bit = (h1 + i * h2) % BITS;
      this.bits[bit >>> 3] = (this.bits[bit >>> 3] ?? 0) | (1 << (bit & 7));
    }
  }

  // Whether the job `name` is known to have no record: seen to appear (`ageMs` undefined; the
  // caller knows the watches work), or found by a listing, its file written `ageMs` ago.
  knownNone(name: string, ageMs?: number): boolean {
    if (this.lostTrack || this.listedFromMs === undefined) return false;
    if (ageMs !== undefined && ageMs - (performance.now() - this.listedFromMs) < PUT_BACK_MARGIN_MS) return false;
    return !this.mayHave(name);
  }

  // What readJobMeta asks of a job file, given its ctime: whether it may have a record that
  // keeps its place in line. `seenToAppear`: its file was seen to appear, not found by a
  // listing; `intake.watching`: whether the watches work; `intake.ageOf`: how long ago, by the
  // file server's clock, a file of that time was written.
  check(name: string, seenToAppear: boolean, intake: IntakeClock): (ctimeMs: number) => boolean {
    if (seenToAppear) return () => intake.watching?.() !== true || !this.knownNone(name);
    return (ctimeMs) => !this.knownNone(name, intake.ageOf(ctimeMs));
  }

  private mayHave(name: string): boolean {
    const [h1, h2] = hashes(name);
    for (let i = 0; i < HASHES; i++) {
      const bit = (h1 + i * h2) % BITS;
      if (((this.bits[bit >>> 3] ?? 0) & (1 << (bit & 7))) === 0) return false;
    }
    return true;
  }
}

// Two 32-bit hashes of a name (FNV-1a, and the same walk with MurmurHash's multiplier); the
// second made odd.
function hashes(name: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x5bd1e995) >>> 0;
  }
  return [a, (b | 1) >>> 0];
}
