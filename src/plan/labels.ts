/**
 * Labels mixcompose puts on everything it creates. Docker compose's own keys, so `docker compose ls`
 * and other tooling group the resources, plus `io.mixcompose.*`. Everything `down`/`ps` find is
 * found by the project label; there is no state file.
 */
import type { PlatformOs, Project } from '../model/project.js';

export const LABEL_PROJECT = 'com.docker.compose.project';
export const LABEL_SERVICE = 'com.docker.compose.service';
export const LABEL_NUMBER = 'com.docker.compose.container-number';
export const LABEL_ONEOFF = 'com.docker.compose.oneoff';
export const LABEL_CONFIG_HASH = 'com.docker.compose.config-hash';
export const LABEL_WORKING_DIR = 'com.docker.compose.project.working_dir';
export const LABEL_CONFIG_FILES = 'com.docker.compose.project.config_files';
export const LABEL_DEPENDS_ON = 'com.docker.compose.depends_on';
export const LABEL_NETWORK = 'com.docker.compose.network';
export const LABEL_VOLUME = 'com.docker.compose.volume';
export const LABEL_IMAGE = 'com.docker.compose.image';
export const LABEL_PLATFORM = 'io.mixcompose.platform';
/**
 * Digest of what a container is made from before address references are filled in
 * (plan/materialize.ts): when it differs, the config changed whatever the addresses come out as.
 */
export const LABEL_TEMPLATE_HASH = 'io.mixcompose.template-hash';
/** "resolver" for the project DNS resolver container; absent for service containers. */
export const LABEL_ROLE = 'io.mixcompose.role';
/** LABEL_ROLE of the throw-away containers and network of `up`'s reach probe (never part of the plan). */
export const ROLE_REACH_PROBE = 'reach-probe';
/**
 * LABEL_ROLE of the one never-started container that records the reach probe's answer
 * (plan/reach-record.ts): project infrastructure, not a service; `down` removes it.
 */
export const ROLE_REACH_RECORD = 'reach-record';
/**
 * The probe's answer for reaching the platform's containers from the other daemon ("ip" |
 * "published"), so later commands know it without probing again: on the reach record container
 * (older stacks: on service containers, the resolver or the project networks; all are read).
 */
export const LABEL_REACH: Readonly<Record<PlatformOs, string>> = {
  linux: 'io.mixcompose.reach.linux',
  windows: 'io.mixcompose.reach.windows',
};

/** The Engine API label filter that selects this project's resources. */
export function projectFilter(project: string): { label: string[] } {
  return { label: [`${LABEL_PROJECT}=${project}`] };
}

/** Labels every project resource carries. */
export function projectLabels(project: Project): Record<string, string> {
  return {
    [LABEL_PROJECT]: project.name,
    [LABEL_WORKING_DIR]: project.workingDir,
    [LABEL_CONFIG_FILES]: project.configFiles.join(','),
  };
}

/** Labels of one service container (the config hash is added when the body is final). */
export function containerLabels(
  project: Project,
  service: string,
  number: number,
  platform: PlatformOs,
  dependsOn: string | undefined,
): Record<string, string> {
  // Set one by one: spreading the project labels into a new object costs far more per container
  // until the code is optimised, and `up` makes one set per service.
  const labels = projectLabels(project);
  labels[LABEL_SERVICE] = service;
  labels[LABEL_NUMBER] = String(number);
  labels[LABEL_ONEOFF] = 'False';
  labels[LABEL_PLATFORM] = platform;
  if (dependsOn) labels[LABEL_DEPENDS_ON] = dependsOn;
  return labels;
}

/** True for the labels mixcompose sets itself (left out of the config hash). */
export function isOwnLabel(key: string): boolean {
  return key.startsWith('com.docker.compose.') || key.startsWith('io.mixcompose.');
}
