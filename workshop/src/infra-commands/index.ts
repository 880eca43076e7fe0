/** The infrastructure commands of the workshop CLI: each returns an exit code. */
export { up, down, pulumiPassthrough, pulumiEnv, findPulumi, DEFAULT_STACK, type InfraCommandOptions } from './pulumi';
export { doctor, diagnose, type DoctorItem } from './doctor';
export { containerCheck } from './container-check';
