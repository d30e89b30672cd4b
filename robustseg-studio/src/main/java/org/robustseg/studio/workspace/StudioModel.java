package org.robustseg.studio.workspace;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.robustseg.model.SegmentationModel;
import org.robustseg.provenance.Checkpoint;

/**
 * One model the studio runs, by the name the user picks it by. The model stays loaded for the
 * server's lifetime; only the job worker thread computes with it.
 *
 * @param name the name in the page and the API ("standard", "robust", or --checkpoint NAME=...)
 * @param checkpoint where it came from (its identity goes into every result's provenance)
 * @param model the loaded network
 */
public record StudioModel(String name, Checkpoint checkpoint, SegmentationModel model) {
    /** What the page lists: name, architecture, classes, checkpoint label and epoch, whether it has gradients. */
    public ObjectNode describe(ObjectNode into) {
        into.put("name", name);
        into.put("architecture", checkpoint.spec().name());
        into.put("classes", model.numClasses());
        into.put("checkpoint", checkpoint.label());
        into.put("epoch", checkpoint.epoch());
        String recipe = checkpoint.meta().path("provenance").path("config").path("recipe").path("name").asText("");
        into.put("recipe", recipe);
        // false for an imported ONNX network: the page offers it for predict only
        into.put("gradients", checkpoint.spec().differentiable());
        return into;
    }
}
