// Test processes run side by side (jest workers), so each keeps libtorch to one intra-op thread unless told
// otherwise: spinning OpenMP threads on busy cores cost far more than they give here.
process.env.PVNAS_THREADS ??= '1';
// The torch backend checks each kernel output's stored shape against tfjs's (torch/backend.ts).
process.env.PVNAS_TORCH_CHECK ??= '1';
// In tests a kernel the torch backend lacks fails loudly instead of running through the CPU (the fallback's own
// test turns this off): every kernel the training, evaluation and export paths use must be native.
process.env.PVNAS_TORCH_FALLBACK ??= 'error';
