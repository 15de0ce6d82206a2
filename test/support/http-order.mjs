// Loaded into a mixcompose process by tests (NODE_OPTIONS=--import=<this file's URL>): writes each
// Engine API request to stderr as it starts ("[http] POST /containers/create?name=..."), so a test
// can check the order of a command's daemon calls (the lock before the first list, or no lock at all).
import dc from 'node:diagnostics_channel';

dc.subscribe('http.client.request.start', ({ request }) => {
  process.stderr.write(`[http] ${request.method} ${request.path}\n`);
});
