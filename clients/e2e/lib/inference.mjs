// What the inference tests share: the node flags that give a dev node the shipped models
// and the .venv ONNX Runtime, and Python onnxruntime as the reference.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { runDirectory } from './node.mjs';

/** The repository root. */
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** `models/models.json`: the shipped models. */
export const SHIPPED = JSON.parse(readFileSync(join(REPO, 'models/models.json'), 'utf8'));

/** The node flags for the shipped models (in a model cache `dir` of its own) and the .venv ONNX Runtime. */
export function inferenceArgs(dir = join(runDirectory(), 'models-by-id')) {
  return execFileSync('bash', [join(REPO, 'scripts/inference-env.sh'), dir]).toString().trim().split(/\s+/);
}

/** Python onnxruntime on `file` (in `models/`, or an absolute path) with `inputs` (floats), quantized at `F`. */
export function reference(file, inputs, F) {
  const path = isAbsolute(file) ? file : join(REPO, 'models', file);
  const out = execFileSync(join(REPO, '.venv/bin/python'), [join(REPO, 'models/reference.py'), path, inputs.join(','), String(F)]);
  return JSON.parse(out.toString()).quantized;
}
