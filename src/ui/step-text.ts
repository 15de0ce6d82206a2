/**
 * Words for engine events, shared by every renderer so plain, TTY and JSON agree.
 * Shapes follow docker compose's progress lines: " Container shop-db-1  Started".
 */
import type { ProgressEvent, StepEvent } from '../model/events.js';

const PAST: Readonly<Record<string, string>> = {
  create: 'Created', start: 'Started', stop: 'Stopped', remove: 'Removed', pull: 'Pulled',
  build: 'Built', recreate: 'Recreated', kill: 'Killed', restart: 'Restarted', wait: 'Healthy',
  probe: 'Probed',
  connect: 'Connected', check: 'Checked', write: 'Written', register: 'Registered', unregister: 'Unregistered', skip: 'Skipped',
};
const PRESENT: Readonly<Record<string, string>> = {
  create: 'Creating', start: 'Starting', stop: 'Stopping', remove: 'Removing', pull: 'Pulling',
  build: 'Building', recreate: 'Recreating', kill: 'Killing', restart: 'Restarting', wait: 'Waiting',
  probe: 'Probing',
  connect: 'Connecting', check: 'Checking', write: 'Writing', register: 'Registering', unregister: 'Unregistering', skip: 'Skipping',
};

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** The state word of a step: "Creating", "Created", "Error", "Skipped". */
export function stepState(event: StepEvent): string {
  switch (event.status) {
    case 'started':
      return PRESENT[event.action] ?? `${capitalize(event.action)}…`;
    case 'done':
      return PAST[event.action] ?? `${capitalize(event.action)} done`;
    case 'failed':
      return 'Error';
    case 'skipped':
      return 'Skipped';
  }
}

/** "Container shop-db-1" */
export function stepSubject(event: StepEvent): string {
  return `${capitalize(event.resource)} ${event.name}`;
}

/** One plain line: "[linux]   Container shop-db-1  Started: message". */
export function formatStepLine(event: StepEvent): string {
  const where = event.platform ? `[${event.platform}]`.padEnd(10) : ''.padEnd(10);
  const tail = event.message ? `: ${event.message}` : '';
  return `${where}${stepSubject(event)}  ${stepState(event)}${tail}`;
}

/** Bytes in the units docker prints: 1.5MB, 330MB, 1.2GB (powers of 1000). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${value.toFixed(digits)}${units[unit]}`;
}

/** "[windows] Image 127.0.0.1:5555/busybox  [#####-----] 12.0MB/24.0MB 2/4 layers" */
export function formatProgressLine(event: ProgressEvent, width = 20): string {
  const ratio = event.total > 0 ? Math.min(1, event.current / event.total) : 0;
  const filled = Math.round(ratio * width);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
  const where = `[${event.platform}]`.padEnd(10);
  // Build output (engine/images.ts): layers count Dockerfile steps, text is the builder's line.
  if (event.id.startsWith('build:')) return `${where}Build ${event.service ?? event.name}  ${event.text ?? ''}`.trimEnd();
  const bytes = event.total > 0 ? `${formatBytes(event.current)}/${formatBytes(event.total)}` : formatBytes(event.current);
  return `${where}Image ${event.name}  ${bar} ${bytes} ${event.layersDone}/${event.layersTotal} layers`;
}
