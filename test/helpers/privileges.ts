// What a test needs to act as a plain user would, as root: file modes obeyed, and file
// attributes set.
import {execFileSync} from 'node:child_process';

// Root ignores file modes; without the capabilities that let it, it obeys them as any user
// does. setpriv (util-linux) drops them for the fjd processes it starts.
export const AS_PLAIN_USER: string[] =
  process.getuid?.() === 0 ? ['setpriv', '--bounding-set=-dac_override,-dac_read_search'] : [];

// Sets or clears a file attribute (`+i`, `-i`); the reason when that is not possible here.
export function chattr(flag: string, target: string): string | undefined {
  try {
    execFileSync('chattr', [flag, target], {stdio: 'pipe'});
    return undefined;
  } catch (error) {
    return (error as {stderr?: Buffer}).stderr?.toString().trim() || String(error);
  }
}
