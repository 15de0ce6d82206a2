import { describe, expect, it } from 'vitest';
import { imagePlanText } from '../../../src/cli/commands/dry-run.js';

describe('pull / build --dry-run text', () => {
  it('one line per service, sorted: what would be done and why; nothing to do when nothing would', () => {
    const plan = {
      entries: [
        { service: 'web', platform: 'windows' as const, image: 'corp/web:1', action: 'pull' as const, reason: 'pull: always' },
        { service: 'db', platform: 'linux' as const, image: 'postgres:16', action: 'skip' as const, reason: 'present' },
      ],
      warnings: ['x is odd'],
    };
    expect(imagePlanText(plan, 'pull')).toBe('db: postgres:16 on linux: nothing to do (present)\nweb: would pull corp/web:1 on windows (pull: always)\nwarning: x is odd\n');
    expect(imagePlanText({ entries: [plan.entries[1]!], warnings: [] }, 'build')).toBe('db: postgres:16 on linux: nothing to do (present)\nnothing to build\n');
  });
});
