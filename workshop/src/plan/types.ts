/**
 * A plan: what a Pulumi program declares, read under Pulumi's mocks (no CLI,
 * no Docker). Containers with their images, envs, networks and aliases,
 * published ports and labels; the stack outputs.
 */
import type { BackingKind, ServiceName } from '../runtime/topology';

/** What a container is in the system: one of the services, or a backing service. */
export type Role = ServiceName | BackingKind;

export interface PlanPort {
  internal: number;
  external?: number;
  /** The host address it is published on (Docker's default, when absent, is every address). */
  ip?: string;
  protocol?: string;
}

export interface PlanAttachment {
  /** The Docker name of the network (the plan's network of that name or id). */
  network: string;
  aliases: string[];
}

export interface PlanBuild {
  /** Absolute paths (Pulumi resolves them against the project folder, infra/). */
  context: string;
  dockerfile?: string;
  args: Record<string, string>;
  target?: string;
}

export interface PlanImage {
  /** The Pulumi resource name. */
  resource: string;
  imageName: string;
  build?: PlanBuild;
}

export interface PlanHealthcheck {
  tests: string[];
  interval?: string;
  timeout?: string;
  retries?: number;
  startPeriod?: string;
}

export interface PlanContainer {
  /** The Pulumi resource name. */
  resource: string;
  /** The Docker container name, when the program sets one. */
  name?: string;
  /** The image reference as declared (a built image's reference is its imageName). */
  image: string;
  /** Set when the image is built by the program (docker.Image). */
  build?: PlanBuild;
  env: Record<string, string>;
  networks: PlanAttachment[];
  /** Set when the container joins a network by networkMode instead. */
  networkMode?: string;
  ports: PlanPort[];
  labels: Record<string, string>;
  command?: string[];
  entrypoint?: string[];
  restart?: string;
  healthcheck?: PlanHealthcheck;
  user?: string;
  /** What it is, from its labels (workshop.role), else its REPLICA_ID, image or aliases. */
  role?: Role;
  /** A service replica's id (label workshop.replica, else REPLICA_ID). */
  replicaId?: string;
}

export interface PlanNetwork {
  resource: string;
  name: string;
  driver?: string;
  internal?: boolean;
}

export interface Plan {
  infraDir: string;
  project: string;
  stack: string;
  /** The configuration the program ran with (namespaced keys, string values). */
  config: Record<string, string>;
  networks: PlanNetwork[];
  images: PlanImage[];
  containers: PlanContainer[];
  /** Every other resource, by type and name (components included). */
  others: { type: string; name: string }[];
  outputs: Record<string, unknown>;
  /** How long evaluating the program took, in milliseconds. */
  millis: number;
}

/** The raw result the evaluating child process writes. */
export type EvaluationResult =
  | { ok: true; plan: Omit<Plan, 'containers'> & { containers: Omit<PlanContainer, 'role' | 'replicaId'>[] } }
  | { ok: false; error: string };
