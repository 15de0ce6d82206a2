/**
 * Secret and config contents never appear in mixcompose's own output: `config` (YAML and JSON),
 * `plan` (text and JSON), the events of `up` and `down` (`--progress json` and plain), `ps`, and
 * the error of a failing `up`. Names and paths only. The contents do reach the container.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { assertRigUp, execText, rigDocker } from '../../support/rig.js';
import { composeYaml } from '../../support/stacks.js';
import { faultStack, type FaultStack } from './fault-stack.js';

const FILE_SECRET = 'FILESECRET-7f3a';
const ENV_SECRET = 'ENVSECRET-5c2e';
const INLINE_CONFIG = 'INLINECONTENT-91bd';
const ENV_CONFIG = 'ENVCONFIG-44e0';
const LEAK = new RegExp([FILE_SECRET, ENV_SECRET, INLINE_CONFIG, ENV_CONFIG].join('|'));

const yaml = composeYaml({
  services: { app: { lines: ['secrets: [from_file, from_env]', 'configs: [inline, interpolated]'] } },
  tail: `secrets:
  from_file: { file: ./s.txt }
  from_env: { environment: I12_SECRET_VAR }
configs:
  inline: { content: "${INLINE_CONFIG}" }
  interpolated: { content: "\${I12_CONFIG_VAR}" }
`,
});

describe('secret and config contents stay out of every output', () => {
  let stack: FaultStack;
  const env = { I12_SECRET_VAR: ENV_SECRET, I12_CONFIG_VAR: ENV_CONFIG };
  beforeAll(async () => {
    assertRigUp();
    stack = await faultStack('secrets', yaml);
    writeFileSync(join(stack.dir, 's.txt'), `${FILE_SECRET}\n`);
  });
  afterAll(async () => {
    await stack?.cleanup();
  });

  it('config, plan, up/ps/down events: names only; the container has the contents', async () => {
    const outputs: Record<string, string> = {};
    for (const args of [['config'], ['config', '--format', 'json'], ['plan'], ['plan', '--format', 'json'], ['--progress', 'json', 'up', '-d'], ['ps'], ['ps', '--format', 'json']]) {
      const r = await stack.mc(args, { env });
      expect(r.exitCode, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      outputs[args.join(' ')] = r.stdout + r.stderr;
    }
    expect(outputs.config).toMatch(/from_env:\n\s+environment: I12_SECRET_VAR/);
    expect(outputs.config).toMatch(/content: "?\(hidden: 18 bytes\)"?/);
    expect(outputs.config).toContain('s.txt');
    for (const [what, text] of Object.entries(outputs)) expect(text, what).not.toMatch(LEAK);
    const app = rigDocker('linux').getContainer(`${stack.name}-app-1`);
    expect(await execText(app, ['cat', '/run/secrets/from_file', '/run/secrets/from_env', '/inline', '/interpolated'])).toBe(`${FILE_SECRET}\n${ENV_SECRET}${INLINE_CONFIG}${ENV_CONFIG}`);
    const down = await stack.mc(['--progress', 'plain', 'down'], { env });
    expect(down.exitCode, down.stderr).toBe(0);
    expect(down.stdout + down.stderr).not.toMatch(LEAK);
  });

  it('a failing up (the daemon refuses the container) says why (exit 3, a daemon error), never a content', async () => {
    writeFileSync(join(stack.dir, 'compose.yaml'), yaml.replace('    init: true', '    init: true\n    cpus: 4096'));
    const r = await stack.mc(['up', '-d'], { env });
    expect(r.exitCode, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/CPU/i);
    expect(r.stdout + r.stderr).not.toMatch(LEAK);
    const down = await stack.mc(['down'], { env });
    expect(down.exitCode, down.stderr).toBe(0);
    await stack.expectNothingLeft();
  });
});
