package org.robustseg.studio.workspace;

/**
 * An input image of a job at the models' size: a validation scene (with its true labels) or an
 * upload (labels null).
 *
 * @param ref how the API names it: "scene:12" or "upload:u3"
 * @param description what the page tells the user about it (scene id, or the upload's resizing)
 * @param image CHW floats in [0,1], 3×height×width
 * @param labels the true label map (height×width, 255 = ignore), or null for an upload
 */
public record StudioImage(String ref, String description, int height, int width, float[] image, int[] labels) {
    public boolean hasTruth() {
        return labels != null;
    }
}
