/**
 * Global flags, given before the command as with `docker compose`.
 */
export interface GlobalOptions {
  /** -f, repeatable, in merge order. */
  readonly file: readonly string[];
  /** -p */
  readonly projectName?: string;
  readonly projectDirectory?: string;
  /** --env-file, repeatable. */
  readonly envFile: readonly string[];
  /** --profile, repeatable. */
  readonly profile: readonly string[];
  readonly windowsHost?: string;
  readonly linuxHost?: string;
  readonly windowsContext?: string;
  readonly linuxContext?: string;
  /** --allow-os-mismatch: let a Linux daemon stand in for the Windows one (tests, CI). */
  readonly allowOsMismatch: boolean;
  /** --progress auto|tty|plain|json|quiet */
  readonly progress: 'auto' | 'tty' | 'plain' | 'json' | 'quiet';
  /** --ansi never|always|auto (colour; NO_COLOR turns it off unless always). */
  readonly ansi?: 'never' | 'always' | 'auto';
}
