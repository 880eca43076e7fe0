/** The plan: what the learner's Pulumi program declares, and the topology it runs as locally. */
export { readPlan, PlanError, type ReadPlanOptions } from './read-plan';
export { planToTopology, planProblems, unresolvedHosts, replicasOf } from './to-topology';
export { describe, resolveHost } from './containers';
export { roleOf, isServiceRole, ROLE_LABEL, REPLICA_LABEL, BACKING_ROLES } from './roles';
export { servedBy, SPOKEN } from './listening';
export { attachmentOf, whyUnreachable, wrongAddresses } from './to-topology';
export type * from './types';
