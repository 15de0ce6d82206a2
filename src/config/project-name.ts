/**
 * Project names as compose v2 treats them: `-p`, COMPOSE_PROJECT_NAME and `name:` must already be
 * valid (lowercase letters, digits, `_`, `-`, starting with a letter or digit); a directory's
 * basename is normalized into that form.
 */
export const PROJECT_NAME = /^[a-z0-9][a-z0-9_-]*$/;

export function normalizeProjectName(raw: string): string {
  return raw.toLowerCase().replace(/[^a-z0-9_-]/g, '').replace(/^[_-]+/, '');
}

export function projectNameProblem(name: string, source: string): string | undefined {
  if (PROJECT_NAME.test(name)) return undefined;
  return `invalid project name "${name}" (from ${source}): use lowercase letters, digits, "_" and "-", starting with a letter or digit`;
}
