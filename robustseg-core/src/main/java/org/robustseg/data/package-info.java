/**
 * Segmentation data: the {@link org.robustseg.data.SegDataset} contract, the built-in FashionScenes
 * generator, loaders for Pascal-VOC and Cityscapes directory layouts, image and palette-PNG I/O and
 * joint image+label transforms. Depends on nothing but the JDK and Jackson (for dataset.json).
 */
package org.robustseg.data;
