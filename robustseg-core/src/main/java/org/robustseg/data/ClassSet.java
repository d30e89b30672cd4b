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

    /**
     * The id of the class called {@code name} (exact), so that code can name classes instead of
     * writing their ids, e.g. {@code int bag = FashionScenes.classes().id("bag")}.
     */
    public int id(String name) {
        int id = names.indexOf(name);
        if (id < 0) {
            throw new IllegalArgumentException("unknown class '" + name + "' (known: " + String.join(", ", names) + ")");
        }
        return id;
    }
}
