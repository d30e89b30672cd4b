/**
 * Models made elsewhere, in and out: a network exported from PyTorch (TorchScript, or ONNX for
 * inference only) described by a {@link org.robustseg.interop.ModelCard} becomes a
 * {@link org.robustseg.model.SegmentationModel} that every attack, recipe and synthesis preset
 * runs on unchanged; and robustseg's own networks are written out as safetensors by PyTorch
 * parameter name. Depends on model, engine and io; provenance (checkpoints) depends on it.
 */
package org.robustseg.interop;
