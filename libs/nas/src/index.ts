/** @pvnas/nas: training backend, op layer, search space, search, derivation and derived networks. */
export { selectBackend, defaultThreads, backendRequestSchema, BACKEND_NAMES, type BackendInfo, type BackendName, type BackendRequest } from './backend/select';
export { countMacs } from './backend/ops/mac-counter';
export { TorchBackend } from './backend/torch/backend';
export { takeCpuFallbacks } from './backend/torch/register';
export {
  initProcessGroup,
  processGroup,
  collectiveStats,
  allReduceMean,
  allReduceSum,
  broadcastFrom,
  syncVariables,
  averageGradients,
  averageVariables,
  sumOverRanks,
  meanOverRanks,
  replicaSeed,
  anyRank,
  barrier,
  DEFAULT_COLLECTIVE_TIMEOUT_MS,
  type ProcessGroupOptions,
  type DistBackend,
} from './distributed/process-group';
export { deviceRequestSchema, type DeviceRequest } from './backend/torch/device';
export { torchDoctor, doctorSummary, diagnose, type DoctorReport, type DoctorFacts } from './backend/torch/doctor';
export { loadTorchAddon, libtorchBuild, addonPath, type TorchNative, type LibtorchBuild } from './backend/torch/native';
export * from './operations';
export * from './search-space/cell-types';
export * from './search-space/genotype';
export { deriveGenotype, deriveCell } from './search-space/derive';
export { spaceSize, cellCount, exactJson } from './search-space/space-size';
export { randomGenotype, randomCell } from './search-space/random-arch';
export { SearchNetwork, lossAndGradients, type SearchNetworkConfig, type SampledPath } from './search-space/search-network';
export { searchStep, ONE_LEVEL_MODES, type OneLevelMode } from './search/one-level';
export { samplingStep, samplePath, gumbelTau, samplingSchema, type SamplingConfig } from './search/sampling';
export {
  SUPERNET_STRATEGIES,
  CANDIDATE_STRATEGIES,
  SEARCH_STRATEGIES,
  type SupernetStrategy,
  type CandidateStrategy,
  type SearchStrategy,
} from './search/strategies';
export { evolutionSchema, mutate, proposeEvolution, type EvolutionConfig, type Evaluated } from './search/evolution';
export { budgetSchema, costTerm, expectedGflopsOf, expectedMsOf, genotypeGflops, targetShape, type AlphaCost, type Budget } from './search/budget';
export { latencyTable, networkMs, timeMs, type LatencyTable } from './search/latency';
export {
  candidateGenotype,
  combinedRanks,
  linearRegionCount,
  ntkConditionNumber,
  regionInputs,
  scoreAtInit,
  spearman,
  trainingFreeSchema,
  type TrainingFreeConfig,
  type TrainingFreeScore,
} from './search/training-free';
export { searchVerdict, type SearchOutcome, type SearchVerdict } from './search/verdict';
export { Adam, Sgd, clipGlobalNorm } from './train/optimizers';
export { learningRate, lrScheduleSchema, type LrSchedule } from './train/lr-schedule';
export { DerivedNetwork, dropPathProb, type DerivedNetworkConfig } from './derived/derived-network';
export { defaultLayout, PRESETS, type PresetName } from './derived/layout';
export { costTable, networkCost, type CostTable, type NetworkShape } from './derived/cost';
export { TRAIN, EVAL, type Ctx } from './layers/context';
export { Params, type Param } from './layers/params';
export { MixedOp } from './search-space/mixed-op';
export { alphasOf, loadAlphasInto } from './search-space/alphas-io';
export { saveDerived, loadDerived, MODEL_FORMAT } from './derived/model-file';
export { exportGraphModel, graphModelFiles, graphArtifacts, GRAPH_MODEL_WEIGHTS, type GraphExportOptions } from './export/graph-model';
export { GraphBuilder, type GNode } from './export/graph-builder';
export { EvaluationError, videoLabel } from './evaluate/errors';
export {
  ViewAggregator,
  type ViewAggregatorOptions,
  type DenseViews,
  type AggregateResult,
  type VideoScores,
  type IncompleteVideo,
  type ViewKind,
} from './evaluate/view-aggregator';
export { computeMetrics, argmaxFirst, labelRank, type Metrics, type MetricsOptions, type TopK, type ClassAccuracy } from './evaluate/metrics';
export { evaluateViews, singleViewMetrics, type ViewEvaluation, type ViewEvaluationOptions } from './evaluate/view-metrics';
export { scoreViews, singleViewAccuracy, type ViewBatch, type ViewScoring, type SingleViewScore } from './evaluate/score-views';
export { renderEvaluationMarkdown, escapeCell, formatPercent, type ReportOptions } from './evaluate/report';
export {
  runEpochs,
  emptyTotals,
  NonFiniteLossError,
  type Batch,
  type BatchSource,
  type StepReport,
  type EpochReport,
  type LoopState,
  type EpochTotals,
  type StepOutcome,
  type StepAt,
} from './train/epoch-loop';
export {
  saveCheckpoint,
  loadCheckpoint,
  latestCheckpoint,
  loadNewestCheckpoint,
  NonFiniteStateError,
  progressSchema,
  CHECKPOINT_FORMAT,
  type Progress,
  type CheckpointInfo,
} from './train/checkpoint';
export { SearchTrainer, searchOptimSchema, type SearchOptim, type AlphaSoftmax } from './train/search-trainer';
export { RetrainTrainer, retrainOptimSchema, type RetrainOptim } from './train/retrain-trainer';
export { crossEntropy, countCorrect } from './train/loss';
