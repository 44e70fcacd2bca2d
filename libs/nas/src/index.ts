/** @pvnas/nas: training backend, op layer, search space, search, derivation and derived networks. */
export { selectBackend, backendRequestSchema, BACKEND_NAMES, type BackendInfo, type BackendName, type BackendRequest } from './backend/select';
export { countMacs } from './backend/ops/mac-counter';
export * from './search-space/op-names';
export * from './search-space/genotype';
export { deriveGenotype, deriveCell } from './search-space/derive';
export { spaceSize, cellCount, exactJson } from './search-space/space-size';
export { randomGenotype, randomCell, CONV_OPS } from './search-space/random-arch';
export { SearchNetwork, lossAndGradients, crossEntropy, type SearchNetworkConfig } from './search-space/search-network';
export { searchStep } from './search/one-level';
export { Adam, Sgd, clipGlobalNorm } from './search/optimizers';
export { learningRate, lrScheduleSchema, type LrSchedule } from './search/lr-schedule';
export { DerivedNetwork, dropPathProb, type DerivedNetworkConfig } from './derived/derived-network';
export { defaultLayout, PRESETS, type PresetName } from './derived/layout';
export { networkCost, opCost } from './derived/cost';
export { TRAIN, EVAL, type Ctx } from './layers/context';
export { alphasOf, loadAlphasInto } from './search-space/alphas-io';
export { saveDerived, loadDerived, MODEL_FORMAT } from './derived/model-file';
