package org.robustseg.studio.jobs;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.robustseg.provenance.Json;

/**
 * One model's part of a job as the page sees it: how far its loop is, the mean loss at every
 * iterate so far, its latest intermediate image, and its result once done. Guarded by the
 * {@link Job} it belongs to; {@code version} says when it last changed, so an event stream sends
 * each change once and a slow client simply gets the latest state.
 */
final class ModelRun {
    final String model;
    int step;
    int steps;
    final List<Float> loss = new ArrayList<>();
    String image;
    ObjectNode result;
    long version;

    ModelRun(String model, int steps) {
        this.model = model;
        this.steps = steps;
    }

    /** The progress: model, step, steps, losses, and the latest image when asked for. */
    ObjectNode progress(boolean withImage) {
        ObjectNode o = Json.object();
        o.put("model", model);
        o.put("step", step);
        o.put("steps", steps);
        ArrayNode l = o.putArray("loss");
        loss.forEach(v -> {
            if (Float.isFinite(v)) {
                l.add(v);
            } else {
                l.addNull();
            }
        });
        if (withImage && image != null) {
            o.put("image", image);
        }
        return o;
    }
}
