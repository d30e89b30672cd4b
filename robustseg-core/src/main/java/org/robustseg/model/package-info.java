/**
 * The model zoo: dilated-ResNet encoders, PSPNet and DeepLabV3 heads, and the registry
 * ({@link org.robustseg.model.ModelZoo}) that builds them by name as
 * {@link org.robustseg.model.SegmentationModel}s taking [0,1] images and returning logits at the
 * input resolution. It depends only on DJL (PyTorch engine for resampling); every BatchNorm is
 * created by {@link org.robustseg.model.Norms} so that normalisation can be swapped in one place.
 */
package org.robustseg.model;
