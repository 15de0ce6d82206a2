/** The adapter's bounded retry of a daemon answer known to be transient (a race inside the daemon). */

/**
 * `call()`, asked again after a growing pause (pauseMs, 2 × pauseMs, ...) while it fails in a way
 * `transient` accepts, at most `attempts` times in all; the last failure is thrown as it came.
 */
export async function askedAgain<T>(call: () => Promise<T>, transient: (error: unknown) => boolean, attempts: number, pauseMs: number): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= attempts || !transient(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, pauseMs * attempt));
    }
  }
}
