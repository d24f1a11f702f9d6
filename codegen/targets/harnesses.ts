import { onnxHarness } from '../onnx/conformance';
import { pytorchHarness } from '../pytorch/conformance';
import { typescriptHarness } from '../typescript/conformance';
import type { TargetId } from './catalog';
import type { FormHarness } from './harness';

/** Every target's conformance harness, by id: one for each of the catalog's (the type says so). For tests: harnesses load tfjs and run Python. */
export const HARNESSES: { readonly [Id in TargetId]: FormHarness } = { typescript: typescriptHarness, pytorch: pytorchHarness, onnx: onnxHarness };
