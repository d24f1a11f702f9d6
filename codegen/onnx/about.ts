import type { TargetAbout } from '../targets/target';

/** The ONNX export as the Export menu, the route and the CLI list it: one network of the graph, with its weights. */
export const onnxAbout: TargetAbout<'onnx'> = {
  id: 'onnx',
  title: 'ONNX',
  description: 'Download one network of this model as an ONNX file (opset 17) with its weights, to run in onnxruntime, TensorRT or any ONNX runtime',
  writes: 'file',
  suffix: '.onnx',
  network: true,
  next: (out) => `run it in onnxruntime: python -c "import onnxruntime as ort; s = ort.InferenceSession('${out}'); print([(i.name, i.shape) for i in s.get_inputs()])"`,
};
