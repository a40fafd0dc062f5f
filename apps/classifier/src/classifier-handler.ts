import { Code, ConnectError, type ServiceImpl } from '@connectrpc/connect';
import { type ClassifierService } from '@sophia/contracts/classifier';
import { Role, TaskType, Tier } from '@sophia/contracts/common';
import type { Classifier, TaskType as CoreTaskType, Tier as CoreTier } from '@sophia/classifier-core';
import type { Histogram } from 'prom-client';
import { inSpanSync } from '@sophia/platform';

const TIER_TO_PROTO: Record<CoreTier, Tier> = { simple: Tier.SIMPLE, balanced: Tier.BALANCED, complex: Tier.COMPLEX };

const TASK_TO_PROTO: Record<CoreTaskType, TaskType> = {
  open_qa: TaskType.OPEN_QA,
  summarization: TaskType.SUMMARIZATION,
  extraction: TaskType.EXTRACTION,
  classification: TaskType.CLASSIFICATION,
  code: TaskType.CODE,
  math_reasoning: TaskType.MATH_REASONING,
  sql_data: TaskType.SQL_DATA,
  creative_writing: TaskType.CREATIVE_WRITING,
  rewriting: TaskType.REWRITING,
  chat: TaskType.CHAT,
  other: TaskType.OTHER,
};

const ROLE_NAMES: Partial<Record<Role, string>> = {
  [Role.SYSTEM]: 'system',
  [Role.USER]: 'user',
  [Role.ASSISTANT]: 'assistant',
  [Role.TOOL]: 'tool',
  [Role.DEVELOPER]: 'developer',
};

/**
 * ClassifierService over an in-process model. The model sits behind the `Classifier` interface
 * of @sophia/classifier-core, so retraining swaps a weights file, not this code.
 */
export function createClassifierHandler(classifier: Classifier, options: { latency?: Histogram } = {}): ServiceImpl<typeof ClassifierService> {
  return {
    classify(req) {
      if (req.messages.length === 0) throw new ConnectError('messages: must not be empty', Code.InvalidArgument);
      const messages = req.messages.map((m, i) => {
        const role = ROLE_NAMES[m.role];
        if (!role) throw new ConnectError(`messages[${i}].role: must be set`, Code.InvalidArgument);
        return { role, content: m.content };
      });
      const started = process.hrtime.bigint();
      const c = inSpanSync('classify', { 'sophia.messages': messages.length }, (span) => {
        const result = classifier.classify(messages);
        if (span.isRecording()) {
          span.setAttributes({ 'sophia.tier': result.tier, 'sophia.classifier.task_type': result.taskType, 'sophia.classifier.score': result.score, 'sophia.prompt_tokens': result.promptTokens, 'sophia.classifier.model_version': result.modelVersion });
        }
        return result;
      });
      options.latency?.observe(Number(process.hrtime.bigint() - started) / 1e9);
      return {
        tier: TIER_TO_PROTO[c.tier],
        taskType: TASK_TO_PROTO[c.taskType],
        score: c.score,
        promptTokens: c.promptTokens,
        expectedOutputTokens: c.expectedOutputTokens,
        features: c.features.map((f) => ({ name: f.name, contribution: f.contribution })),
        modelVersion: c.modelVersion,
      };
    },
  };
}
