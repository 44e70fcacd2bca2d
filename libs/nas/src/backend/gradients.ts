/**
 * tfjs-core ships the gradients of its stock kernels only as ES modules; the `@tensorflow/tfjs` bundle
 * registers them (in tfjs's global registry, shared with tfjs-core), and the chained tensor methods
 * (`x.reshape(...)`) with them. Every op module imports this.
 */
import '@tensorflow/tfjs';
