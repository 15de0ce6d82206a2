/**
 * What the engine reports while it works. The UI layer (src/ui) turns these into listr2 tasks,
 * plain lines or JSON; the engine never prints.
 */
import type { PlatformOs } from './project.js';

export type ResourceKind = 'container' | 'network' | 'volume' | 'image' | 'daemon' | 'service';

/** A unit of work changing state: "Container shop-db-1 (linux) Creating → Created". */
export interface StepEvent {
  readonly type: 'step';
  /** Stable id of the plan operation, e.g. "start:container:db:1". */
  readonly id: string;
  readonly resource: ResourceKind;
  readonly name: string;
  readonly platform?: PlatformOs;
  /** Verb of the operation: create, start, stop, remove, pull, build, wait, recreate, kill, ... */
  readonly action: string;
  readonly status: 'started' | 'done' | 'failed' | 'skipped';
  readonly message?: string;
  /**
   * The reach probe's answer (action "probe", status "done"), for JSON consumers: how each platform's
   * containers are reached from the other daemon, as `reach.<platform>.reach` of `plan --format json`.
   */
  readonly reach?: Readonly<Partial<Record<PlatformOs, 'ip' | 'published'>>>;
  /** Milliseconds since the run started, for JSON consumers and benchmarks. */
  readonly at?: number;
}

/** Pull or build progress for one image on one daemon. */
export interface ProgressEvent {
  readonly type: 'progress';
  readonly id: string;
  readonly resource: 'image';
  readonly name: string;
  readonly platform: PlatformOs;
  readonly service?: string;
  readonly current: number;
  readonly total: number;
  readonly layersDone: number;
  readonly layersTotal: number;
  readonly text?: string;
}

export interface WarningEvent {
  readonly type: 'warning';
  readonly message: string;
  readonly service?: string;
}

export interface LogEvent {
  readonly type: 'log';
  readonly service: string;
  readonly container: string;
  readonly platform: PlatformOs;
  readonly stream: 'stdout' | 'stderr';
  readonly text: string;
  readonly timestamp?: string;
}

export type EngineEvent = StepEvent | ProgressEvent | WarningEvent | LogEvent;

/** Where the engine sends events. Injected; the default drops them. */
export type EventSink = (event: EngineEvent) => void;

