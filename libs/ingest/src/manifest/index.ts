/** Dataset manifests: Kinetics CSV, plain lists, SSv2 JSON, UCF-101 splits, folder-per-class; `loadManifest` picks by spec. */
export type { Manifest, ManifestIssue, Split, VideoRecord } from './types';
export { parseCsv, type CsvRow } from './csv';
export { readClassNames, sortedUnique } from './classes';
export { parseKineticsCsv, kineticsClipId, kineticsSplitDirs, kineticsSearchDirs, KINETICS_EXTENSIONS, type KineticsOptions } from './kinetics';
export { parseVideoList, listPathId, type VideoListOptions } from './list';
export { parseSsv2, readSsv2Labels, stripTemplateBrackets, type Ssv2Options } from './ssv2';
export { parseUcf101, readUcf101ClassInd, ucf101ListName, type Ucf101Options } from './ucf101';
export { scanClassFolders, VIDEO_EXTENSIONS, type FolderOptions } from './folders';
export { loadManifest, parseManifestSpec, manifestSpecSchema, type ManifestSpec, type ManifestFormat } from './spec';
