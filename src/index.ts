// Public API of untrained-cs. Layers: core <- fft <- operators <- engine <- priors <- solvers <- sweeps <- reproduce <- cli;
// metrics and io rest on core alone.
export * from './core/errors.js';
export { Rng, createRng, toRng, type Seed, type RngState } from './core/rng.js';
export { sizeOf, shapeEquals, formatShape, type Shape } from './core/shape.js';
export { dot, norm2, sumSquares, allFinite } from './core/vector.js';
export { complexFromReal, realPart, imagPart, complexAbs } from './core/complex.js';
export { isNdarrayLike, ndarrayToFloat64, type NumericArray, type NdarrayLike } from './core/validate.js';

export { FftPlan, getFftPlan } from './fft/plan.js';
export { fft, ifft, fft2, ifft2 } from './fft/fft.js';
export { fftshift, ifftshift } from './fft/shift.js';
export { dct, idct } from './fft/dct.js';
export { hadamard } from './fft/hadamard.js';

export { defineOperator, isLinearOperator, type LinearOperator, type OperatorDefinition, type RealArray } from './operators/linearOperator.js';
export { identity, diagonal, mask } from './operators/elementwise.js';
export { gaussian, type GaussianOptions } from './operators/gaussian.js';
export { structuredRandom, type StructuredRandomOptions } from './operators/structuredRandom.js';
export { fourier, type FourierOptions } from './operators/fourier.js';
export { convolution, gaussianKernel, type ConvolutionOptions } from './operators/convolution.js';
export { compose, sum, scale, vstack, blockDiag, adjointOf } from './operators/algebra.js';
export { dotTest, opNormSquared } from './operators/dotTest.js';
export {
  bernoulliMask,
  blockMask,
  cartesianMask,
  equispacedMask,
  variableDensityMask,
  radialMask,
  samplingRate,
} from './operators/masks.js';
export { cartesianHoldoutGroups } from './operators/cartesianHoldout.js';
export { addNoise, sigmaForSnr, type NoiseLevel } from './operators/noise.js';

export { readImage, writeImage, decodeImage, encodeImage, toGray, type Image } from './io/image.js';
export { squareResize } from './io/resize.js';
export { cameraman, builtinImagePath, packageRoot } from './io/builtin.js';
export { readNpy, writeNpy, decodeNpy, encodeNpy, type NpyArray, type NpyDtype } from './io/npy.js';

export { Arena, type Precision } from './engine/arena.js';
export { portableKernels, type Kernels } from './engine/kernels.js';
export { simdKernels, simdAvailable } from './engine/simdKernels.js';
export { setThreads, getThreads } from './core/threads.js';
export { nativeKernels } from './engine/nativeKernels.js';
export { nativeAvailable, nativeStatus } from './core/native.js';
export { getKernels, setKernels, kernelsFor, engineInfo, getEngine, setEngine, engineFor, arenaBackend, type EngineName } from './engine/select.js';
export { tfjsBackend, TFJS_PACKAGES, type TfjsBackendOptions } from './engine/tfjsBackend.js';
export type { Engine, EngineBackend, EngineOptimizer, OptimizerOptions, ConvSpec, NormSpec, ResizeSpec, PointwiseKind, ConcatPart } from './engine/engine.js';
export { Slot } from './engine/tensor.js';
export { Adam, Sgd } from './engine/adam.js';
export type { FloatArray } from './core/vector.js';
export { symmetricEigen } from './core/symmetricEigen.js';

export { NetworkBuilder, Network, estimateMemory } from './priors/network.js';
export type { NetworkMemory } from './priors/networkMemory.js';
export { availableMemory, formatBytes } from './core/memory.js';
export { type Generator, type GeneratorForward, type EngineTrainer } from './priors/generator.js';
export { deepDecoder, type DeepDecoderOptions } from './priors/deepDecoder.js';
export { convDecoder, CONV_DECODER_MRI, type ConvDecoderOptions } from './priors/convDecoder.js';
export { deepImagePrior, type DeepImagePriorOptions } from './priors/deepImagePrior.js';
export {
  twoLayerGenerator,
  dualKernel,
  interpolatingFilter,
  type TwoLayerGenerator,
  type TwoLayerGeneratorOptions,
  type InterpolatingFilter,
} from './priors/twoLayerGenerator.js';
export { jacobianSpectrum } from './priors/jacobian.js';

export { fitGeneratorSync, type FitGeneratorOptions, type EarlyStopping, type SgldOptions, type FitCheckpointOptions, type FitProgress, type GeneratorFitInfo } from './solvers/fitGenerator.js';
export { fitGenerator } from './solvers/offThread/fitGenerator.js';
export { resultToJSON, type RecoveryResult, type RecoveryHistory, type StopReason } from './solvers/result.js';

export { daubechiesFilter } from './solvers/bases/daubechies.js';
export { waveletBasis, type WaveletName, type WaveletBasisOptions } from './solvers/bases/wavelet.js';
export { dctBasis, basisByName, complexBasis, type BasisName } from './solvers/bases/bases.js';
export { leastSquares, type LeastSquaresOptions } from './solvers/leastSquares.js';
export { fista, ista, lassoOptimality, type LassoOptions, type LassoInfo } from './solvers/fista.js';
export { randomShiftLasso, type RandomShiftLassoOptions, type RandomShiftLassoInfo } from './solvers/randomShiftLasso.js';
export { omp, type OmpOptions, type OmpInfo } from './solvers/omp.js';
export { tv, type TvOptions, type TvInfo } from './solvers/tv.js';
export { bestLambda, logGrid, type BestLambdaOptions, type BestLambdaResult } from './solvers/bestLambda.js';
export { heldOutSplit, type HeldOutSplit } from './solvers/heldOut.js';
export { runIterations, below, divergence, patience, type StopRule, type IterationState, type DriverOptions, type DriverResult, type Measures, type StepOutcome, type Progress } from './solvers/driver.js';
export { dataConsistency } from './solvers/dataConsistency.js';

export { psnr, relativeError, nmse, mse, type MetricOptions } from './metrics/metrics.js';
export { ssim } from './metrics/ssim.js';
export { planarToInterleaved } from './operators/permutation.js';
export { reconstructSync, registerMethod, METHODS, KNOWN_OPTIONS, type Method, type ReconstructOptions, type CustomReconstructOptions } from './solvers/reconstruct.js';
export type { GeneratorReconstructOptions, GeneratorReconstructInfo, LassoReconstructOptions, OmpReconstructOptions, TvReconstructOptions, LeastSquaresReconstructOptions, GpReconstructOptions, AnyReconstructOptions } from './solvers/reconstructOptions.js';
export { reconstruct } from './solvers/offThread/reconstruct.js';

export { parseSweep, expandTrials, sweepHash, sweepSchema, signalSize, type SweepDefinition, type TrialSpec } from './sweeps/definition.js';
export { runTrial, type TrialRow } from './sweeps/trial.js';
export { runSweep, type SweepRunOptions, type SweepSummary, type SweepProgress } from './sweeps/runLocal.js';
export { runSweepOnQueue, runQueueWorker, checkRedis, DEFAULT_QUEUE } from './sweeps/queue.js';
export { readResults, ResultsWriter } from './sweeps/results.js';
export { summarizeRows, summarizeFile, wilsonInterval, cellsToCsv, cellsTable, type CellSummary } from './sweeps/summarize.js';
export { l1StatisticalDimension, l1PhaseTransition, l1PhaseTransitionCurve, erfc } from './sweeps/theory.js';
export { phaseTransitionSvgs, errorCurvesSvg } from './sweeps/plots.js';
export { imageGridSvg, lineChartSvg, heatmapSvg, svgToPng, writeFigure, viridis, type Panel, type Series, type ColorScale } from './io/plot.js';

export {
  rbfKernel,
  smoothedWhiteNoiseKernel,
  activationKernel,
  downsampleKernel,
  upsampleKernel,
  sumKernels,
  scaleKernel,
  networkKernel,
  dipKernel,
  correlation,
  type StationaryKernel,
  type Activation,
  type LayerSpec,
} from './priors/gp/kernels.js';
export { sampleTwoLayerNetwork, empiricalKernel, generatorKernel, type EmpiricalKernel } from './priors/gp/empirical.js';
export { gpPosterior, CirculantCovariance, type GpPosteriorOptions } from './solvers/gpPosterior.js';
