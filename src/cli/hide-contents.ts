/**
 * Secret and config contents never leave mixcompose in its own output: `config` shows a
 * top-level secret or config written as `content:` (or interpolated into it) by its size only.
 * Names, files and environment variable names are shown; what they hold is not.
 */
import type { FileObject } from '../model/project.js';

/** The object as `config` prints it: `content` replaced by a note with its size. */
export function hideContent(object: FileObject): FileObject {
  if (object.content === undefined) return object;
  return { ...object, content: `(hidden: ${Buffer.byteLength(object.content)} bytes)` };
}
