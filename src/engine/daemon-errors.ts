/**
 * What kind of daemon error an error is, as the executor needs to know it: gone (404), a conflict
 * (409), or a conflict because the daemon is already doing it (409 "… already in progress").
 *
 * Interim home: engineer i9b's src/engine/docker/errors.ts exports the same predicates from the split
 * adapter; once that lands this module re-exports them (or goes), and its callers stay as they are.
 */
import { engineStatusCode } from './dockerode-client.js';

/** The daemon says the object does not exist. */
export function isNotFound(error: unknown): boolean {
  return engineStatusCode(error) === 404;
}

/** The daemon refuses because of the object's state (exists already, is in use, is being removed). */
export function isConflict(error: unknown): boolean {
  return engineStatusCode(error) === 409;
}

/** A conflict because the daemon is doing the same thing already (a removal in progress). */
export function isInProgress(error: unknown): boolean {
  return isConflict(error) && /already in progress/i.test(error instanceof Error ? error.message : String(error));
}
