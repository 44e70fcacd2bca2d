/**
 * `@pvnas/ingest/testing`: fixtures for tests of code that reads videos (the library's own and the
 * end-to-end tests): small real videos encoded on the fly with the bundled ffmpeg, and temp folders.
 */
export { encodeVideo, makeTempDir, type TestVideo } from './video/test-videos';
