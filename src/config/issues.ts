/**
 * Collects config problems as values; the loader throws them together once at the end.
 */
import type { ConfigIssue } from '../errors.js';
import type { SourcePosition } from '../model/project.js';
import type { KeyPath } from './positions.js';

export class IssueList {
  readonly items: ConfigIssue[] = [];

  error(message: string, position?: SourcePosition, path?: KeyPath): void {
    this.push('error', message, position, path);
  }

  warning(message: string, position?: SourcePosition, path?: KeyPath): void {
    this.push('warning', message, position, path);
  }

  get hasErrors(): boolean {
    return this.items.some((i) => i.severity === 'error');
  }

  /** All issues, those with a position first, by file, line and column (stable otherwise). */
  sorted(): ConfigIssue[] {
    const rank = (i: ConfigIssue) => (i.position ? 1 : 0);
    return [...this.items].sort((a, b) => {
      if (rank(a) !== rank(b)) return rank(a) - rank(b);
      if (!a.position || !b.position) return 0;
      return a.position.file.localeCompare(b.position.file) || a.position.line - b.position.line || a.position.col - b.position.col;
    });
  }

  errors(): ConfigIssue[] {
    return this.items.filter((i) => i.severity === 'error');
  }

  warnings(): ConfigIssue[] {
    return this.items.filter((i) => i.severity === 'warning');
  }

  private push(severity: 'error' | 'warning', message: string, position?: SourcePosition, path?: KeyPath): void {
    const key = `${severity}|${message}|${position?.file}:${position?.line}:${position?.col}|${path?.join('.')}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.items.push({ severity, message, ...(position ? { position } : {}), ...(path && path.length ? { path: [...path] } : {}) });
  }

  private readonly seen = new Set<string>();
}
