package org.robustseg.studio.workspace;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Uploaded images, decoded and resized, kept in memory by id ("u1", "u2", ...): the most recent
 * {@code capacity} of them (an older id answers 404 and the page uploads again). Nothing is
 * written to disk and no path ever comes from a client.
 */
public final class Uploads {
    private final UploadDecoder decoder;
    private final int capacity;
    private final Map<String, StudioImage> images = new LinkedHashMap<>();
    private long next = 1;

    public Uploads(UploadDecoder decoder, int capacity) {
        this.decoder = decoder;
        this.capacity = capacity;
    }

    /** Decodes and keeps an upload; the image knows its id and how it was resized. */
    public StudioImage add(byte[] bytes, int size) {
        UploadDecoder.Decoded d = decoder.decode(bytes);
        synchronized (this) {
            String id = "u" + next++;
            StudioImage img = new StudioImage("upload:" + id, "upload " + id + " (" + d.format().toUpperCase() + ", " + d.note() + ")",
                    size, size, d.image(), null);
            images.put(id, img);
            while (images.size() > capacity) {
                images.remove(images.keySet().iterator().next());
            }
            return img;
        }
    }

    public synchronized StudioImage get(String id) {
        StudioImage img = images.get(id);
        if (img == null) {
            throw ApiException.badRequest("unknown upload '" + id + "' (the studio keeps the last " + capacity + " uploads: upload it again)");
        }
        return img;
    }
}
