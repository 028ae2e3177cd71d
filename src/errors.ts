// One error type for everything fjd reports: a stable code for programs and tests, the path
// involved, and what the user can do next; the message says what fjd was doing. The original
// error is `cause`.

export type FjdErrorCode =
  | 'HOME_UNUSABLE'
  | 'USAGE'
  | 'JOB_UNREADABLE'
  | 'JOB_EMPTY'
  | 'JOB_BINARY'
  | 'JOB_TOO_LARGE'
  | 'JOB_NOT_REGULAR'
  | 'JOB_UNTRUSTED'
  | 'HOME_UNSAFE'
  | 'DISPATCHER_RUNNING'
  | 'DISPATCHER_LOCK_LOST'
  | 'JOB_SYNTAX'
  | 'JOB_NO_CONTROL'
  | 'JOB_NO_EXECUTABLE'
  | 'JOB_UNKNOWN_KEY'
  | 'JOB_BAD_VALUE'
  | 'EXECUTABLE_NOT_FOUND'
  | 'EXECUTABLE_NOT_EXECUTABLE'
  | 'WORKDIR_MISSING'
  | 'LOGFILE_UNUSABLE'
  | 'WORKER_START_FAILED'
  | 'BAD_PARAMETERS'
  | 'INTERNAL'
  | 'JOB_NOT_FOUND'
  | 'JOB_WRONG_STATE'
  | 'SLURM_FAILED'
  | 'HOSTS_FILE'
  | 'SSH_COMMAND'
  | 'IO';

export interface FjdErrorDetails {
  path?: string;
  hint?: string;
  cause?: unknown;
}

export class FjdError extends Error {
  readonly code: FjdErrorCode;
  readonly path: string | undefined;
  readonly hint: string | undefined;

  constructor(code: FjdErrorCode, message: string, details: FjdErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : {cause: details.cause});
    this.name = 'FjdError';
    this.code = code;
    this.path = details.path;
    this.hint = details.hint;
  }
}

// The errno code of a Node system error, or undefined for anything else.
export function errnoCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const {code} = error as {code: unknown};
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

// A short, human description of any thrown value.
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

// Wraps a filesystem error with the path and the action, so the message names both.
export function ioError(doing: string, path: string, cause: unknown, hint?: string): FjdError {
  const code = errnoCode(cause);
  const what = code === undefined ? describeError(cause) : `${code}: ${describeError(cause)}`;
  return new FjdError('IO', `${doing} ${path} failed (${what})`, {path, hint, cause});
}
