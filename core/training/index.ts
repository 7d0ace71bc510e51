// The public `crucible-ml/training` entry: the training loop crucible's own trainers use (seeded order,
// steps, evaluation, early stopping, checkpoints, exact mid-epoch resume), for third-party trainers too.
import { claimSingleInstance } from '../single-instance.js';

claimSingleInstance(new URL('..', import.meta.url).href);

export {
  runTrainingLoop,
  type TrainingLoopOptions,
  type TrainingLoopResult,
  type TrainingState,
  type StepInfo,
  type StepOutcome,
  type MetricValue,
  type Selection,
  type EpochRecord,
  type Curves,
} from './loop.js';
export { trainerOutput } from './output.js';
