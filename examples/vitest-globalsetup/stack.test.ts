/** Tests against the stack the globalSetup brought up: ps sees both daemons, run gets exit codes. */
import { describe, expect, inject, it } from 'vitest';
import { loadProject, ps, run } from 'mixcompose';

const stack = () => loadProject({ files: [inject('composeFile')], projectName: inject('projectName'), profiles: ['tests'] });

describe('the integration stack', () => {
  it('runs web on the linux daemon, healthy', async () => {
    const containers = await ps(await stack());
    expect(containers.map((c) => [c.service, c.daemon, c.health])).toEqual([['web', 'linux', 'healthy']]);
  });

  it('a one-off client on the windows daemon reaches web across the daemons', async () => {
    const result = await run(await stack(), 'client', [], { noDeps: true });
    expect(result).toMatchObject({ exitCode: 0, stdout: 'hello-from-linux\n' });
  });

  it("gives the command's exit code and keeps stdout and stderr apart", async () => {
    const result = await run(await stack(), 'client', ['sh', '-c', 'echo out; echo err >&2; exit 3'], { noDeps: true });
    expect(result).toMatchObject({ exitCode: 3, stdout: 'out\n', stderr: 'err\n' });
  });
});
