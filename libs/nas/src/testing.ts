/** @pvnas/nas/testing: the op test harness and the gradient cases, for tests and tools/device/gpu-check. */
export { gradientCases, CONV_CASES, POOL_CASES, type GradientCase } from './backend/testing/gradient-cases';
export { gradCheck, availableSetups, use, type GradCheck, type Setup } from './backend/testing/harness';
