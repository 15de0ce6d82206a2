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
