// Filesystem errors that say "not now" rather than "never": a full disk or quota, a
// filesystem remounted read-only, a shared filesystem that is briefly unreachable. fjd waits
// and tries again on these, keeping every job where it is.
const TRANSIENT = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EIO', 'ESTALE', 'ETIMEDOUT', 'EAGAIN', 'EBUSY', 'EMFILE', 'ENFILE']);

export function isTransientFsError(code: string | undefined): boolean {
  return code !== undefined && TRANSIENT.has(code);
}
