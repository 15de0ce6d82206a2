/**
 * JSON Schema check of one interpolated file (schemas/mixcompose.schema.json) with ajv.
 */
import type { PositionIndex } from './positions.js';
import type { IssueList } from './issues.js';

export function validateAgainstSchema(_root: Record<string, unknown>, _positions: PositionIndex, _issues: IssueList): void {
  // Filled in by the schema step.
}
