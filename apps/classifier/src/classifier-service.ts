import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { Histogram } from 'prom-client';
import { ClassifierService } from '@sophia/contracts/classifier';
import { createClassifier, loadDefaultModel, parseClassifierModel } from '@sophia/classifier-core';
import { defineHostedService, serviceRegistration } from '@sophia/platform';
import { createClassifierHandler } from './classifier-handler.ts';

/** The classifier's own configuration keys. */
const classifierConfigSchema = z.object({
  /** Weights file (JSON) to serve instead of the committed model. */
  SOPHIA_CLASSIFIER_MODEL_PATH: z.string().min(1).optional(),
});

/** The classifier for a host: the committed model (or SOPHIA_CLASSIFIER_MODEL_PATH) behind ClassifierService. */
export const classifierService = defineHostedService(classifierConfigSchema, async ({ config, logger, metrics }) => {
  const model = config.SOPHIA_CLASSIFIER_MODEL_PATH
    ? parseClassifierModel(JSON.parse(readFileSync(config.SOPHIA_CLASSIFIER_MODEL_PATH, 'utf8')))
    : loadDefaultModel();
  const classifier = createClassifier(model);
  logger.info({ modelVersion: classifier.modelVersion, thresholds: classifier.thresholds }, 'classifier model loaded');
  const latency = new Histogram({
    name: 'classifier_inference_seconds',
    help: 'Time spent in the model per Classify call (features + scoring).',
    buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025],
    registers: [metrics.registry],
  });
  return { services: [serviceRegistration(ClassifierService, createClassifierHandler(classifier, { latency }))] };
});
