/**
 * The progress line of a conditional recreate (QA2 R7): never "recreated with " with nothing after,
 * nor "unchanged (): kept".
 */
import { describe, expect, it } from 'vitest';
import { formatStepLine } from '../../../src/ui/step-text.js';
import { conditionalRecreateOutcome } from '../../../src/plan/format-plan.js';

const line = (message: string) =>
  formatStepLine({ type: 'step', id: 'create:db:1', resource: 'container', action: 'check', name: 'qa2-auto-db-1', platform: 'linux', status: 'done', message });

describe('conditional recreate outcome', () => {
  it('without wired addresses', () => {
    expect(line(conditionalRecreateOutcome(true, ''))).toBe('[linux]   Container qa2-auto-db-1  Checked: recreated (config changed)');
    expect(line(conditionalRecreateOutcome(false, ''))).toBe('[linux]   Container qa2-auto-db-1  Checked: unchanged: kept');
  });
  it('with wired addresses', () => {
    expect(line(conditionalRecreateOutcome(true, '{{ db.host }}=10.201.135.3'))).toBe(
      '[linux]   Container qa2-auto-db-1  Checked: recreated (config changed) with {{ db.host }}=10.201.135.3',
    );
    expect(line(conditionalRecreateOutcome(false, '{{ db.host }}=10.201.135.3'))).toBe(
      '[linux]   Container qa2-auto-db-1  Checked: unchanged ({{ db.host }}=10.201.135.3): kept',
    );
  });
});
