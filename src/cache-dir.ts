/**
 * The user's cache directory for mixcompose, shared by every cache it keeps (the schema validity
 * digests, config/read-files.ts; the resolver's hosts files, engine/resolver-hosts-cache.ts):
 * $MIXCOMPOSE_CACHE_DIR (empty: no cache at all), else $XDG_CACHE_HOME/mixcompose, else
 * ~/.cache/mixcompose (%LOCALAPPDATA%\mixcompose\cache on Windows). Undefined: no cache.
 */
import path from 'node:path';

export function userCacheDir(env: Readonly<Record<string, string | undefined>>, platform: NodeJS.Platform = process.platform): string | undefined {
  const override = env.MIXCOMPOSE_CACHE_DIR;
  if (override !== undefined) return override === '' ? undefined : override;
  if (env.XDG_CACHE_HOME) return path.join(env.XDG_CACHE_HOME, 'mixcompose');
  if (platform === 'win32' && env.LOCALAPPDATA) return path.join(env.LOCALAPPDATA, 'mixcompose', 'cache');
  const home = env.HOME ?? env.USERPROFILE;
  return home ? path.join(home, '.cache', 'mixcompose') : undefined;
}
