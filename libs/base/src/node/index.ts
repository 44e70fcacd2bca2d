/** @pvnas/base/node: the shared helpers that need Node (files, native addons, the terminal). */
export * from './json-file';
export * from './native-addon';
export * from './progress';
