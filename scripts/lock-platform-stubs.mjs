// npm's registry here serves only the Linux glibc builds of rollup's platform packages; the others
// answer 404. `npm install` then leaves them out of package-lock.json, and `npm ci` refuses the lock
// ("Missing: @rollup/rollup-darwin-x64@ from lock file"). This adds an entry for each missing platform
// package with its os/cpu (and libc), so `npm ci` sees a complete lock and skips them as foreign
// platforms, as it would with the public registry. Run after changing dependencies:
//   npm install && node scripts/lock-platform-stubs.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const packages = lock.packages;

/** "@rollup/rollup-linux-arm64-musl" → { os, cpu, libc } from the name's platform triple. */
function platformOf(name) {
  const triple = name.split('/').pop().replace(/^rollup-/, '');
  const [os, arch, abi] = triple.split('-');
  const cpu = { 'arm': 'arm', 'arm64': 'arm64', 'x64': 'x64', 'ia32': 'ia32', 'loong64': 'loong64', 'ppc64': 'ppc64', 'riscv64': 'riscv64', 's390x': 's390x' }[arch];
  if (!cpu) throw new Error(`cannot read the platform of ${name}`);
  const entry = { os: [os], cpu: [cpu] };
  if (os === 'linux' && abi) entry.libc = [abi.startsWith('musl') ? 'musl' : 'glibc'];
  return entry;
}

let added = 0;
for (const [path, meta] of Object.entries(packages)) {
  for (const [dep, version] of Object.entries(meta.optionalDependencies ?? {})) {
    if (!dep.startsWith('@rollup/rollup-')) continue;
    const key = `node_modules/${dep}`;
    if (packages[key]) continue;
    packages[key] = { version, ...platformOf(dep), dev: meta.dev ?? undefined, license: 'MIT', optional: true };
    added += 1;
  }
  void path;
}
lock.packages = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0)));
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`lock: ${added} platform entries added`);
