/**
 * The yaml package's writer, for `config` (YAML output). Its own module so that `config` can load
 * it with `import()` at the moment it prints: the module that registers `config` is also imported
 * by `up` (loadOptionsFor), which then needs no yaml at all. (A bare `import('yaml')` would get the
 * CommonJS build's namespace in the bundle, whose named exports esbuild does not lift.)
 */
export { stringify } from 'yaml';
