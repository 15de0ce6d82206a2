/** x-mixcompose.daemons.<platform>.probe_image: the image of `up`'s reach probe on that daemon. */
import { describe, expect, it } from 'vitest';
import { issuesOf, loadFromText } from './helpers.js';

describe('probe_image', () => {
  it('is read per daemon, absent when not set', async () => {
    const { project } = await loadFromText(`
x-mixcompose:
  daemons:
    windows: {probe_image: "mcr.microsoft.com/windows/servercore:ltsc2022"}
services:
  a: {image: x}
`);
    expect(project.extension.daemons.windows.probe_image).toBe('mcr.microsoft.com/windows/servercore:ltsc2022');
    expect(project.extension.daemons.linux.probe_image).toBeUndefined();
  });

  it('must be text', async () => {
    const issues = await issuesOf(`
x-mixcompose:
  daemons:
    linux: {probe_image: [a, b]}
services:
  a: {image: x}
`);
    expect(issues.join('\n')).toMatch(/probe_image/);
  });
});
