// Filesystem errors that say "not now" rather than "never": a full disk or quota, a
// filesystem remounted read-only, a shared filesystem that is briefly unreachable. fjd waits
// and tries again on these, keeping every job where it is.
const TRANSIENT = new Set([
  'ENOSPC',
  'EDQUOT',
  'EROFS',
  'EIO',
  'ESTALE',
  'ETIMEDOUT',
  'EAGAIN',
  'EBUSY',
  'EMFILE',
  'ENFILE',
]);

export function isTransientFsError(code: string | undefined): boolean {
  return code !== undefined && TRANSIENT.has(code);
}

// Refusals that, while fjd records a job or moves it between the home's own directories, mean
// that someone changed a directory's permissions for a moment (chmod, an ACL, chattr +i):
// waited out like a full disk. The home's directories were checked when fjd started, so this
// is never the job's fault. Reading a job file is another matter: a job file that fjd may not
// read is bad input, and there isTransientFsError alone decides.
const REFUSED = new Set(['EACCES', 'EPERM']);

export function isRetryableMoveError(code: string | undefined): boolean {
  return isTransientFsError(code) || (code !== undefined && REFUSED.has(code));
}
