import path from 'node:path';
import { FoundationError } from '../ui/errors.js';
import { onPath, resolveOverride } from '../util/executable.js';

export interface TofuBinary {
  /** Absolute path of the executable. */
  path: string;
  /** "tofu", "terraform", or the basename FOUNDATION_TOFU_BIN names. */
  name: string;
}

/** FOUNDATION_TOFU_BIN, else `tofu` on PATH, else `terraform` on PATH (OpenTofu's compatible predecessor). */
export function findTofuBinary(env: NodeJS.ProcessEnv = process.env): TofuBinary {
  const override = env.FOUNDATION_TOFU_BIN;
  if (override) {
    const found = resolveOverride(override, env);
    if (!found) {
      throw new FoundationError(
        `FOUNDATION_TOFU_BIN names "${override}", which is not an executable file`,
        'point FOUNDATION_TOFU_BIN at the tofu binary, or unset it to use tofu/terraform from PATH',
      );
    }
    return { path: found, name: path.basename(found) };
  }
  for (const name of ['tofu', 'terraform']) {
    const found = onPath(name, env);
    if (found) return { path: found, name };
  }
  throw new FoundationError(
    'neither tofu nor terraform is on PATH',
    'install OpenTofu (https://opentofu.org/docs/intro/install/) or set FOUNDATION_TOFU_BIN to its path',
  );
}
