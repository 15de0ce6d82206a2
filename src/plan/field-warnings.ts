/**
 * The field-problem warnings `plan` and `up` print before acting (pure): databases on host-shared
 * storage (error 95), and stop signals a Windows container cannot receive.
 */
import { formatIssue } from '../errors.js';
import type { WarningEvent } from '../model/events.js';
import type { Project } from '../model/project.js';
import { lintDatabaseStorageFor } from './database-lint.js';
import type { DaemonFacts } from './observed-state.js';
import { stopSettings } from './stop-policy.js';

export function fieldWarnings(
  project: Pick<Project, 'services' | 'volumes' | 'extension'>,
  linuxFacts: DaemonFacts | undefined,
  hostPlatform?: string,
): WarningEvent[] {
  const database = lintDatabaseStorageFor(project, linuxFacts, hostPlatform).map(
    (issue): WarningEvent => ({ type: 'warning', message: formatIssue(issue), service: String(issue.path?.[1] ?? '') }),
  );
  const signals = stopSettings(project).flatMap((s) => s.warnings.map((message): WarningEvent => ({ type: 'warning', message, service: s.service })));
  return [...database, ...signals];
}
