package org.robustseg.data;

import java.util.List;

/** The class sets robustseg knows by name: Pascal VOC 2012, Cityscapes (train ids) and FashionScenes. */
public final class ClassSets {
    private ClassSets() {}

    // Palettes hold exactly one colour per class, so class sets compare equal however they were built;
    // label PNGs get the remaining entries (and 255 = ignore) from the VOC palette when written.

    /** The 21 Pascal VOC 2012 classes with the VOC palette. */
    public static ClassSet pascalVoc() {
        return new ClassSet(
                List.of("background", "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat",
                        "chair", "cow", "diningtable", "dog", "horse", "motorbike", "person", "pottedplant",
                        "sheep", "sofa", "train", "tvmonitor"),
                java.util.Arrays.copyOf(vocPalette(), 21));
    }

    /** The 19 Cityscapes evaluation classes (train ids 0..18) with the official colours. */
    public static ClassSet cityscapes() {
        return new ClassSet(
                List.of("road", "sidewalk", "building", "wall", "fence", "pole", "traffic light", "traffic sign",
                        "vegetation", "terrain", "sky", "person", "rider", "car", "truck", "bus", "train",
                        "motorcycle", "bicycle"),
                new int[] {
                    0x804080, 0xF423E8, 0x464646, 0x66669C, 0xBE9999, 0x999999, 0xFAAA1E, 0xDCDC00, 0x6B8E23,
                    0x98FB98, 0x4682B4, 0xDC143C, 0xFF0000, 0x00008E, 0x000046, 0x003C64, 0x005064, 0x0000E6,
                    0x770B20
                });
    }

    /** FashionScenes: background plus the ten Fashion-MNIST classes, drawn with the VOC palette. */
    public static ClassSet fashionScenes() {
        String[] names = new String[1 + FashionMnist.CLASS_NAMES.size()];
        names[0] = "background";
        for (int i = 0; i < FashionMnist.CLASS_NAMES.size(); i++) {
            names[i + 1] = FashionMnist.CLASS_NAMES.get(i);
        }
        return new ClassSet(List.of(names), java.util.Arrays.copyOf(vocPalette(), names.length));
    }

    /**
     * The 256-entry Pascal VOC palette (0xRRGGBB): the bits of the index spread over the colour
     * channels, so index 0 is black and the ignore index 255 is (224,224,192).
     */
    public static int[] vocPalette() {
        int[] palette = new int[256];
        for (int i = 0; i < 256; i++) {
            int r = 0, g = 0, b = 0;
            int c = i;
            for (int bit = 7; bit >= 0; bit--) {
                r |= (c & 1) << bit;
                g |= ((c >> 1) & 1) << bit;
                b |= ((c >> 2) & 1) << bit;
                c >>= 3;
            }
            palette[i] = (r << 16) | (g << 8) | b;
        }
        return palette;
    }
}
