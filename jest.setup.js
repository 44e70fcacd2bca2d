// Test processes run side by side (jest workers), so each keeps libtorch to one intra-op thread unless told
// otherwise: spinning OpenMP threads on busy cores cost far more than they give here.
process.env.PVNAS_THREADS ??= '1';
