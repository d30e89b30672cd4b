package org.robustseg.studio.workspace;

import org.robustseg.data.SegDataset;
import org.robustseg.data.SegSample;

/** The validation scenes the page offers (from --data), by index; none without a data set. */
public final class Scenes {
    private final SegDataset data;

    public Scenes(SegDataset data) {
        this.data = data;
    }

    public int count() {
        return data == null ? 0 : data.size();
    }

    /** The data set's name, or null. */
    public String name() {
        return data == null ? null : data.name();
    }

    /** The data set itself (for provenance), or null. */
    public SegDataset data() {
        return data;
    }

    /** Scene {@code index}; a 404 names the valid range. */
    public StudioImage get(int index) {
        if (data == null) {
            throw ApiException.notFound("no scenes: the studio was started without --data");
        }
        if (index < 0 || index >= data.size()) {
            throw ApiException.notFound("no scene " + index + " (" + data.name() + " has " + data.size() + ": 0.." + (data.size() - 1) + ")");
        }
        SegSample s = data.get(index);
        return new StudioImage("scene:" + index, "scene " + index + " of " + data.name() + " (" + s.id() + ")", s.height(), s.width(),
                s.image(), s.labels());
    }
}
