/**
 * The grader API: everything a step's checks (steps/<slug>/checks/*.check.ts)
 * use, and the only module they import from the workshop. A check reads the
 * learner's plan, starts the system it declares, drives traffic and chaos,
 * counts what the sinks got, and fails with a sentence for the learner.
 */
export { USER_CREATE, USER_CREATED, type User, type UserCreatedEvent } from '../../../services/shared/src/events';
export type { Plan, PlanContainer } from '../plan';
export { describe } from '../plan';
export { withEnv, type Topology } from '../runtime/topology';
export { waitFor } from '../runtime/wait';
export {
  BURST_RATE,
  deliveredTwice,
  everyUserServed,
  exactlyOnce,
  isRunning,
  killMidBurst,
  onceEach,
  restartCrashed,
  story,
  withoutDelivery,
} from './bursts';
export { startBurst, type Burst, type ConsumerState } from './chaos';
export { gradingTarget, gradingTree, type Target } from './context';
export { check, checkEqual, GradeError } from './expect';
export { clockTime, ledger, LEDGER_USERS } from './ledger';
export { startSystem, type LiveBacking, type LiveSystem, type StartOptions } from './live';
export {
  byRole,
  checkHostsResolve,
  checkPointsAt,
  checkPublishing,
  checkReplicas,
  gradedPlan,
  plannedTopology,
  type StackConfig,
} from './plan';
export { checkJoinsDeclaredNetwork } from './networks';
export { checkContainersOutput, checkOpenedUrl } from './outputs';
export { jetStreamDurables, lastStoredEvent, subscriptionsOn, type StoredEvent } from './queries';
export { describeReplicas, tally, type Delivery, type Tally } from './sinks';
export { streamDrained, streamGroups, type StreamGroupState, type StreamState } from './stream-groups';
export { createUser, createUsers, settle } from './traffic';
export { subscriptionsByReplica, type ReplicaSubscriptions } from './subscription-owners';
export { checkNoServiceOn, transportChoicesOn } from './transport-choices';
export { checkBrokerTokens } from './broker-tokens';
export {
  checkConfigRefused,
  checkDistinctContainerNames,
  checkDistinctHostPorts,
  checkDistinctResourceNames,
} from './replica-wiring';
export { describeRecord, recordsNaming, storedEventIds, type IdempotencyRecord } from './idempotency-records';
export { watchGiveUps, type GaveUp, type GiveUpWatch } from './delivery-advisories';
