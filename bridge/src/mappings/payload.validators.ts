import {
  anyEnvelopeSchema,
  domainMessageSchema,
  interactionMessageSchema,
} from '@platform/contracts';
import type { z } from 'zod';

/**
 * Payload checks a mapping can ask for by name. Each reads the JSON payload against a schema from
 * `contracts`, so the bridge refuses exactly what the consumers on the other side would refuse.
 */
const schemas = {
  /** A domain message: the envelope with a known type and its data. */
  domain: domainMessageSchema,
  /** Any envelope, whatever its type. */
  envelope: anyEnvelopeSchema,
  /** A message as `interactions.v1` carries it: one interaction, or a list's impressions. */
  interaction: interactionMessageSchema,
  /** Any JSON at all. */
  json: undefined,
} as const satisfies Record<string, z.ZodType | undefined>;

export type ValidatorName = keyof typeof schemas;
export const validatorNames = Object.keys(schemas) as [ValidatorName, ...ValidatorName[]];

/** Why a parsed payload fails the named check, or undefined when it passes. */
export function validationProblem(name: ValidatorName, payload: unknown): string | undefined {
  const schema = schemas[name];
  if (!schema) return undefined;
  const result = schema.safeParse(payload);
  if (result.success) return undefined;
  const issues = result.error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
  return `not a valid ${name} message: ${issues}`;
}
