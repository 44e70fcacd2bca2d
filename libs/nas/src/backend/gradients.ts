/**
 * tfjs-core ships the gradients of its stock kernels only as ES modules; the `@tensorflow/tfjs` bundle
 * registers them (in tfjs's global registry, shared with tfjs-core). Import this module before differentiating.
 */
import '@tensorflow/tfjs';
