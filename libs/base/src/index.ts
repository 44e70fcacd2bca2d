/**
 * @pvnas/base: the small helpers every library shares, defined once: seeded randomness, softmax, the test-view
 * layout, durations. Runs anywhere (browser included); the Node-only helpers are `@pvnas/base/node`.
 */
export * from './rng';
export * from './softmax';
export * from './view-layout';
export * from './duration';
