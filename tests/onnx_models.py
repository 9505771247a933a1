"""The ONNX IR version of the models the tests build: onnx writes its newest IR by default (12 with
onnx 1.19 on Python 3.9, 11+ later), which the onnxruntime available for Python 3.9/3.10
(1.19: IR <= 10) refuses to load. IR 10 with opset 13 loads with every onnxruntime the suite runs on."""
IR_VERSION = 10
