package org.robustseg.data;

import java.util.List;

/**
 * The classes of a data set: names in id order and the RGB palette used to draw label maps.
 *
 * @param names class names, index = class id
 * @param palette RGB colour per class id, packed as 0xRRGGBB
 */
public record ClassSet(List<String> names, int[] palette) {
    public ClassSet {
        names = List.copyOf(names);
        if (palette.length < names.size()) {
            throw new IllegalArgumentException("palette has " + palette.length + " colours for " + names.size() + " classes");
        }
    }

    public int size() {
        return names.size();
    }
}
