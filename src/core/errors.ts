/**
 * The one error type that reaches a user. `message` is a sentence for a person that names the input;
 * the CLI prints it on one line and exits with `exitCode`. Anything else thrown is a bug and shows a
 * stack trace only with --debug.
 */
export class SpyglassError extends Error {
  readonly exitCode: number;
  readonly hint?: string;
  constructor(message: string, options: { exitCode?: number; hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SpyglassError';
    this.exitCode = options.exitCode ?? 1;
    this.hint = options.hint;
  }
}

export function isSpyglassError(error: unknown): error is SpyglassError {
  return error instanceof SpyglassError;
}

/** The text of an unknown thrown value, for wrapping into a SpyglassError. */
export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** A deliberate exit status that is not an error: nothing is printed (`cves --exit-code` with vulnerabilities left). */
export class ExitStatus extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
    this.name = 'ExitStatus';
  }
}
