// The accepted range of a numeric setting, read from the one schema, so the labels cannot
// drift from what the main process accepts.
import { settingsSchema, type Settings } from '../../../../shared/config/schema';
import type { z } from 'zod';

/** The settings that are numbers. */
export type NumericSetting = { [K in keyof Settings]-?: Settings[K] extends number ? K : never }[keyof Settings];

/** "0.25–4" for speed. */
export function rangeOf(name: NumericSetting): string {
  const field = settingsSchema.shape[name] as z.ZodDefault<z.ZodNumber>;
  const number = field.unwrap();
  return `${number.minValue ?? ''}–${number.maxValue ?? ''}`;
}
